// Builds the admin SPA into web/dist with Bun's bundler (HTML entrypoint: the script and the
// stylesheet it names are bundled, minified and hashed under assets/). Run: `bun web/build.ts`.
import { rmSync } from "node:fs";
import { join } from "node:path";

const root = import.meta.dir;
const outdir = join(root, "dist");
rmSync(outdir, { recursive: true, force: true });

const result = await Bun.build({
  entrypoints: [join(root, "index.html")],
  outdir,
  minify: true,
  target: "browser",
  // Pages imported with import() get their own chunks (web/src/lib/lazy.tsx), and so does the
  // template editor (CodeMirror), loaded by the pages that edit a template.
  splitting: true,
  // Absolute asset URLs, so that deep links (/webhooks/…) load the same files.
  publicPath: "/",
  naming: { entry: "[name].[ext]", chunk: "assets/[name]-[hash].[ext]", asset: "assets/[name]-[hash].[ext]" },
  define: { "process.env.NODE_ENV": '"production"' },
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
for (const out of result.outputs) console.log(`web/dist/${out.path.slice(outdir.length + 1)}  ${(out.size / 1024).toFixed(1)} KiB`);
