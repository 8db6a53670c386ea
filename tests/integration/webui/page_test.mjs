// The reading-room page in headless chromium against a real `sundial serve`.
// Screenshots are kept as artifacts in $SUNDIAL_ARTIFACTS (default: a temporary folder).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, watchProblems } from './browser.mjs';
import { SundialPeer } from './sundial_peer.mjs';

const artifacts = process.env.SUNDIAL_ARTIFACTS ?? mkdtempSync(join(tmpdir(), 'sundial-webui-shots-'));
mkdirSync(artifacts, { recursive: true });

let sundial;
let browser;
before(async () => {
  sundial = await SundialPeer.start();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await sundial?.stop();
  console.log(`screenshots: ${artifacts}`);
});

test('the page loads from the engine and shows the log-in screen, with no errors', async (t) => {
  const page = await browser.context.newPage();
  const problems = watchProblems(page);
  try {
    await page.goto(`${sundial.url}/`);
    await page.getByRole('button', { name: 'Log in' }).waitFor({ timeout: 5000 });
    assert.equal(await page.locator('h1').textContent(), 'Sundial');
    // The theme is dark: the page background is near black.
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, 'rgb(11, 13, 16)');
    await page.screenshot({ path: join(artifacts, 'login.png') });
    assert.deepEqual(problems, []);
  } catch (error) {
    console.log(sundial.log().slice(-4000));
    throw error;
  } finally {
    await page.close();
  }
});
