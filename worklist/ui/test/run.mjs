// Runs the page's unit tests (test/*.test.ts: pure helpers, no DOM, no network) with node's
// test runner, after esbuild has turned each into plain JavaScript in a temporary folder.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tests = readdirSync('test').filter((f) => f.endsWith('.test.ts')).map((f) => join('test', f));
const out = mkdtempSync(join(tmpdir(), 'sundial-ui-tests-'));
try {
  await build({
    entryPoints: tests,
    bundle: true,
    platform: 'node',
    format: 'esm',
    outdir: out,
    outExtension: { '.js': '.mjs' },
    jsx: 'automatic',
    jsxImportSource: 'preact',
    logLevel: 'warning',
  });
  const files = readdirSync(out).map((f) => join(out, f));
  const run = spawnSync(process.execPath, ['--test', ...files], { stdio: 'inherit' });
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
