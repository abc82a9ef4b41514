#!/usr/bin/env bun
// Entry point of the `inlet` binary: `inlet serve | service-account | …`.
import { processIO } from "./cli/io.ts";
import { run } from "./cli/run.ts";

// Everything Inlet writes (the database, its WAL, backups, keys) is for the user who runs it alone.
process.umask(0o077);
process.exitCode = await run(process.argv.slice(2), processIO());
