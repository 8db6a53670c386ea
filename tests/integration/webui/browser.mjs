// Debian's chromium, headless, driven by playwright-core (no downloaded browser). Flags from
// DEPENDENCIES.md §6: without the background-networking ones it keeps trying to reach
// outside hosts. A fresh profile folder per launch.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// playwright-core is installed with the page's packages (worklist/ui/node_modules).
const uiSource = process.env.SUNDIAL_UI_SOURCE ?? new URL('../../../worklist/ui', import.meta.url).pathname;
const { chromium } = createRequire(join(uiSource, 'package.json'))('playwright-core');

export const kChromium = process.env.SUNDIAL_CHROMIUM ?? '/usr/bin/chromium';

// extraArgs: more Chromium switches (the HTTPS test trusts its own test CA this way).
export async function launchBrowser(extraArgs = []) {
  const profile = mkdtempSync(join(tmpdir(), 'sundial-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: kChromium,
    headless: true,
    viewport: { width: 1600, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Collects what a page complains about (console errors, failed requests, CSP violations),
// so that a test can assert the page ran clean.
export function watchProblems(page) {
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} ${new URL(response.url()).pathname}`);
  });
  return problems;
}
