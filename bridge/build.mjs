// Bundles the bridge with esbuild into ../public/bridge/ (served at /bridge/ by the app):
// index.js (the mount API), one chunk per widget, shared chunks, and index.css.
// `node build.mjs --metafile` also writes meta.json for size analysis (BENCHMARKS.md).
import * as esbuild from "esbuild";
import { rmSync, writeFileSync } from "node:fs";

const outdir = new URL("../public/bridge/", import.meta.url).pathname;
rmSync(outdir, { recursive: true, force: true });
const result = await esbuild.build({
  entryPoints: { index: "src/index.js" },
  bundle: true,
  splitting: true,
  format: "esm",
  minify: true,
  target: "es2020",
  outdir,
  chunkNames: "chunks/[name]-[hash]",
  define: { "process.env.NODE_ENV": '"production"' },
  jsx: "automatic",
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
});
if (process.argv.includes("--metafile")) writeFileSync(`${outdir}meta.json`, JSON.stringify(result.metafile));
const files = Object.entries(result.metafile.outputs).map(([f, o]) => `${f.replace(/.*public\//, "")} ${(o.bytes / 1024).toFixed(0)} KB`);
console.log(`bridge: ${files.length} files in public/bridge/`);
