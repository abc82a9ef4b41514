#!/usr/bin/env bun
// Entry point of the `inlet` binary: `inlet serve | service-account | …`.
import { processIO } from "./cli/io.ts";
import { run } from "./cli/run.ts";

process.exitCode = await run(process.argv.slice(2), processIO());
