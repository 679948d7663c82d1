// Builds the web map into dist/: one hashed script and one hashed stylesheet (esbuild, minified),
// index.html pointing at them, and a gzip copy of each file where it is smaller (the server
// answers it to clients that accept gzip). Prints the page weight without tiles, compressed,
// and fails above the budget.
import { build } from 'esbuild';
import { gzipSync, constants } from 'node:zlib';
import { mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const budget = 400 * 1024;
const started = Date.now();

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'assets'), { recursive: true });

const result = await build({
  entryPoints: [join(here, 'src/main.js')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  outdir: join(dist, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  loader: { '.png': 'file', '.svg': 'file' },
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
const js = outputs.find((f) => f.endsWith('.js'));
const css = outputs.find((f) => f.endsWith('.css'));
if (!js || !css) throw new Error(`build: expected one .js and one .css, got ${outputs.join(', ')}`);
const html = readFileSync(join(here, 'index.html'), 'utf8').replace('%JS%', `/assets/${js}`).replace('%CSS%', `/assets/${css}`);
writeFileSync(join(dist, 'index.html'), html);

// Precompress; count what a browser downloads for the page (index, script, stylesheet).
const sizes = {};
function compress(file) {
  const body = readFileSync(file);
  const gz = gzipSync(body, { level: constants.Z_BEST_COMPRESSION });
  if (gz.length < body.length * 0.9) writeFileSync(`${file}.gz`, gz);
  return Math.min(gz.length, body.length);
}
for (const f of readdirSync(join(dist, 'assets'))) {
  if (!f.endsWith('.gz')) sizes[`assets/${f}`] = compress(join(dist, 'assets', f));
}
sizes['index.html'] = compress(join(dist, 'index.html'));
const page = ['index.html', `assets/${js}`, `assets/${css}`].reduce((n, f) => n + sizes[f], 0);
for (const [f, n] of Object.entries(sizes)) console.log(`  ${f.padEnd(40)} ${(n / 1024).toFixed(1)} KB gzip`);
console.log(`web build: page weight without tiles ${(page / 1024).toFixed(1)} KB compressed ` +
            `(budget ${budget / 1024} KB), built in ${Date.now() - started} ms`);
if (page > budget) {
  console.error('web build: the page is over its weight budget');
  process.exit(1);
}
