// Writes `<file>.br` (brotli, quality 11) and `<file>.gz` (gzip -9) beside every static file the
// app serves from the site root (default target/site): the WASM, its JS glue, the CSS, the bridge's
// JS, CSS and icons. The server sends these as they are (tower-http ServeDir, precompressed_br and
// precompressed_gzip; src/assets.rs), instead of compressing each response. Run by `make build`
// and `make release` after cargo-leptos; a copy older than its file is rewritten.
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

// `--fast`: brotli quality 5 (debug builds: the 4 MB debug WASM takes seconds at 11).
const fast = process.argv.includes("--fast");
const root = path.resolve(process.argv.slice(2).find((a) => !a.startsWith("--")) ?? "target/site");
const COMPRESSIBLE = /\.(js|mjs|wasm|css|svg|json|map|txt|ico)$/;

let files = 0;
let before = 0;
let after = 0;
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(file);
    else if (COMPRESSIBLE.test(entry.name)) compress(file);
  }
};
const fresh = (copy, mtime) => {
  try {
    return statSync(copy).mtimeMs >= mtime;
  } catch {
    return false;
  }
};
const compress = (file) => {
  const { mtimeMs } = statSync(file);
  const data = readFileSync(file);
  files += 1;
  before += data.length;
  if (!fresh(`${file}.br`, mtimeMs)) {
    writeFileSync(
      `${file}.br`,
      brotliCompressSync(data, {
        params: { [constants.BROTLI_PARAM_QUALITY]: fast ? 5 : 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
      }),
    );
  }
  if (!fresh(`${file}.gz`, mtimeMs)) writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
  after += statSync(`${file}.br`).size;
};
walk(root);
console.log(`precompress: ${files} files in ${path.relative(process.cwd(), root) || "."}, ${(before / 1024).toFixed(0)} KB -> ${(after / 1024).toFixed(0)} KB brotli`);
