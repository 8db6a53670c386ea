// The engine serves the built page: content types, caching (index revalidated, hashed
// assets cached for ever), ETag/304, the security headers, and the API still answering
// beside it. Over real HTTP against a real `sundial serve`.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SundialPeer } from './sundial_peer.mjs';

let sundial;
before(async () => {
  sundial = await SundialPeer.start();
});
after(async (context) => {
  await sundial?.stop();
});

test('GET / is the page, revalidated on every load, with a strict CSP', async () => {
  const response = await fetch(`${sundial.url}/`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(response.headers.get('cache-control'), 'no-cache');
  assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  const html = await response.text();
  assert.match(html, /<div id="app"><\/div>/);
  assert.match(html, /src="\/assets\/app-[A-Z0-9]+\.js"/);

  const again = await fetch(`${sundial.url}/`, { headers: { 'If-None-Match': response.headers.get('etag') } });
  assert.equal(again.status, 304);
  assert.equal(await again.text(), '');
});

test('hashed assets have their content type and are cached for a year', async () => {
  const html = await (await fetch(`${sundial.url}/`)).text();
  const script = html.match(/src="(\/assets\/[^"]+\.js)"/)[1];
  const style = html.match(/href="(\/assets\/[^"]+\.css)"/)[1];
  const js = await fetch(`${sundial.url}${script}`);
  assert.equal(js.status, 200);
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.ok((await js.text()).length > 1000, 'the bundle is not empty');
  const css = await fetch(`${sundial.url}${style}`);
  assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
});

test('unknown files are 404 and the API is untouched', async () => {
  assert.equal((await fetch(`${sundial.url}/assets/nope.js`)).status, 404);
  assert.equal((await fetch(`${sundial.url}/../etc/passwd`)).status, 404);
  const health = await fetch(`${sundial.url}/healthz`);
  assert.equal(health.status, 200);
  assert.equal((await health.json()).status, 'ok');
});
