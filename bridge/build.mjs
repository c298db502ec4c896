// Bundles the bridge with esbuild into ../public/bridge/ (served at /bridge/ by the app):
// index.js (the mount API), one chunk per widget, shared chunks, and index.css.
// `node build.mjs --metafile` also writes meta.json for size analysis (BENCHMARKS.md); every
// build writes manifest.json (the files each widget needs, for preload links), and icons/: the
// widgets' provider icons, drawn locally (icons.mjs) so the stylesheet requests nothing elsewhere.
import * as esbuild from "esbuild";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { assertNoExternalUrls, localizeProviderIcons } from "./icons.mjs";

// src/index.js (SeedToken) seeds the widgets' token query by its private key, ["authToken", type],
// so a mounted widget's first request carries the token the page already holds. The key is not
// public API: fail the build, loudly, if the installed package names it differently.
const TOKEN_QUERY_KEY = 'const authTokenQueryKey = (widgetType) => ["authToken", widgetType];';
const provider = new URL("node_modules/@workos-inc/widgets/dist/esm/api/api-provider.js", import.meta.url);
if (!readFileSync(provider, "utf8").includes(TOKEN_QUERY_KEY))
  throw new Error(
    `${provider.pathname} no longer defines the widgets' token query key as ["authToken", widgetType]; ` +
      "update SeedToken in bridge/src/index.js to the package's new key (or drop the seeding)",
  );

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
const outputs = result.metafile.outputs;
// The path the app serves an output file at (public/ is the site root).
const url = (file) => "/" + file.replace(/.*public\//, "");

// The widgets' CSS points provider icons at WorkOS CDNs: each becomes icons/<theme>/<name>.svg,
// named relative to the stylesheet (index.css, in outdir) so they live under the bridge's
// content-hashed URL with it (the app serves public/bridge/ at /bridge/<hash>/).
// The build fails if any stylesheet still names an http(s) URL afterwards.
const iconFile = (theme, name) => `${outdir}icons/${theme}/${name}.svg`;
const icons = new Map();
for (const file of Object.keys(outputs).filter((f) => f.endsWith(".css"))) {
  if (file.includes("/", file.indexOf("public/bridge/") + "public/bridge/".length)) throw new Error(`${file}: stylesheets must be at the bridge's top level`);
  const local = localizeProviderIcons(readFileSync(file, "utf8"), (theme, name) => `icons/${theme}/${name}.svg`);
  for (const icon of local.icons) icons.set(iconFile(icon.theme, icon.name), icon.svg);
  assertNoExternalUrls(local.css, url(file));
  writeFileSync(file, local.css);
  outputs[file].bytes = Buffer.byteLength(local.css);
}
for (const [file, svg] of icons) {
  mkdirSync(file.replace(/[^/]*$/, ""), { recursive: true });
  writeFileSync(file, svg);
}
if (process.argv.includes("--metafile")) writeFileSync(`${outdir}meta.json`, JSON.stringify(result.metafile));

// manifest.json: the entry (index.js), the stylesheet, and per widget id every other JS file its
// first render needs (the entry's static imports, the widget's chunk and that chunk's static
// imports). On widget pages the server loads the entry with a module script (fetched and
// evaluated while the WASM loads) and preloads the rest, instead of starting after hydration.
const staticClosure = (file, seen = new Set()) => {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const i of outputs[file].imports) if (i.kind === "import-statement") staticClosure(i.path, seen);
  return seen;
};
const entry = Object.keys(outputs).find((f) => outputs[f].entryPoint === "src/index.js");
const manifest = { entry: url(entry), css: url(Object.keys(outputs).find((f) => f.endsWith(".css"))), widgets: {} };
// One loader module per widget id in src/widgets/ (src/index.js imports each dynamically).
for (const id of readdirSync("src/widgets").map((f) => f.replace(/\.js$/, ""))) {
  const chunk = Object.keys(outputs).find((f) => outputs[f].entryPoint === `src/widgets/${id}.js`);
  if (!chunk) throw new Error(`no chunk for widget ${id}`);
  const files = staticClosure(chunk, staticClosure(entry));
  files.delete(entry);
  manifest.widgets[id] = [...files].map(url);
}
writeFileSync(`${outdir}manifest.json`, JSON.stringify(manifest, null, 2));
const files = Object.entries(result.metafile.outputs).map(([f, o]) => `${f.replace(/.*public\//, "")} ${(o.bytes / 1024).toFixed(0)} KB`);
const iconBytes = [...icons.values()].reduce((n, svg) => n + Buffer.byteLength(svg), 0);
console.log(`bridge: ${files.length} files and ${icons.size} icons (${(iconBytes / 1024).toFixed(0)} KB) in public/bridge/`);
