// Builds the page into one folder the engine serves: index.html plus content-hashed assets
// (assets/app-<hash>.js, assets/app-<hash>.css), so the engine may let browsers cache assets
// for ever while index.html is revalidated on every load.
// Usage: node build.mjs [--outdir DIR]   (default: dist)
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

const args = process.argv.slice(2);
const outIndex = args.indexOf('--outdir');
const outdir = resolve(outIndex >= 0 ? args[outIndex + 1] : 'dist');

// Old hashed files would pile up otherwise: the folder holds only this build.
rmSync(join(outdir, 'assets'), { recursive: true, force: true });
mkdirSync(join(outdir, 'assets'), { recursive: true });

const result = await build({
  entryPoints: ['src/main.tsx'],
  bundle: true,
  minify: true,
  sourcemap: false,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: join(outdir, 'assets'),
  entryNames: 'app-[hash]',
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
const script = outputs.find((f) => f.endsWith('.js'));
const style = outputs.find((f) => f.endsWith('.css'));
if (!script || !style) throw new Error(`build produced ${outputs.join(', ')}: expected one .js and one .css`);

const template = readFileSync('index.html', 'utf8');
const html = template
  .replace('%STYLE%', `/assets/${style}`)
  .replace('%SCRIPT%', `/assets/${script}`);
writeFileSync(join(outdir, 'index.html'), html);
// Files served as they are (the icon).
cpSync('public', outdir, { recursive: true });
console.log(`ui: built ${outdir} (${script}, ${style})`);
