// A real `sundial serve` for the browser tests: its own folder, free ports picked at run
// time, its own embedded redis-server (no redis.address), readiness polled with a deadline,
// stopped by its own PID. The log stays in the folder; the test prints it on failure.
// With `https: {certificate, privateKey, ca}` it serves over HTTPS (security.https) and is
// reached at https://localhost:<port>, trusting only that CA.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const kBinary = process.env.SUNDIAL_BINARY ?? new URL('../../../build/sundial', import.meta.url).pathname;

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function waitUntil(predicate, timeoutMs, what, intervalMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// The status of a GET over HTTPS, trusting only `ca` (PEM text); null when nothing answers.
export function httpsStatus(url, ca) {
  return new Promise((resolve) => {
    const request = httpsGet(url, { ca, timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('error', () => resolve(null));
    request.on('timeout', () => request.destroy());
  });
}

export class SundialPeer {
  // extraConfig: YAML appended at the top level (readers, users, sites' extras ...); with
  // https, it must end with the security: section (the https key is added to it).
  // destinations: the YAML list of destinations (readers need one for their workstation).
  static async start({ extraConfig = '', siteExtra = '', https = null, destinations = '[]' } = {}) {
    const peer = new SundialPeer();
    peer.https = https;
    peer.dir = mkdtempSync(join(tmpdir(), 'sundial-webui-'));
    peer.httpPort = await freePort();
    peer.dicomPort = await freePort();
    peer.configPath = join(peer.dir, 'sundial.yaml');
    peer.logPath = join(peer.dir, 'sundial.log');
    writeFileSync(peer.configPath, `node:
  ae_title: SUNDIAL
  dicom_port: ${peer.dicomPort}
  http_port: ${peer.httpPort}
  http_bind: 127.0.0.1
  data_dir: ${join(peer.dir, 'data')}
spool:
  min_free_bytes: 0
tracker:
  quiet_period_ms: 500
destinations: ${destinations}
sites:
  - name: DEMO
    time_zone: America/Chicago
    state: TX
    callers:
      - {ae_title: MODALITY, addresses: [127.0.0.1]}
    destinations: []
${siteExtra}${extraConfig}${https ? peer.httpsConfig() : ''}`);
    const log = openSync(peer.logPath, 'a');
    peer.child = spawn(kBinary, ['serve', '--config', peer.configPath], {
      cwd: peer.dir,
      stdio: ['ignore', log, log],
      env: process.env,
    });
    peer.exited = new Promise((resolve) => peer.child.once('exit', (code, signal) => resolve({ code, signal })));
    peer.alive = true;
    peer.exited.then(() => (peer.alive = false));
    try {
      await waitUntil(async () => {
        if (!peer.alive) throw new Error(`sundial exited at start:\n${peer.log()}`);
        if (https) return (await httpsStatus(`${peer.url}/healthz`, readFileSync(https.ca))) === 200;
        try {
          const response = await fetch(`${peer.url}/healthz`);
          return response.status === 200;
        } catch {
          return false;
        }
      }, 60_000, 'sundial /healthz');
    } catch (error) {
      await peer.stop(); // not yet the test's to stop: never leave it running
      throw error;
    }
    return peer;
  }

  // The https key, added to the security: section that extraConfig must end with.
  httpsConfig() {
    return `  https: {certificate: ${this.https.certificate}, private_key: ${this.https.privateKey}}\n`;
  }

  get url() {
    return this.https ? `https://localhost:${this.httpPort}` : `http://127.0.0.1:${this.httpPort}`;
  }

  log() {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '(no log)';
    }
  }

  async api(method, path, body, token) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    return { status: response.status, json, text, headers: response.headers };
  }

  // SIGTERM (sundial stops its own redis-server), SIGKILL after a grace period.
  async stop({ keepFolder = false } = {}) {
    if (this.alive) {
      this.child.kill('SIGTERM');
      let timer;
      const grace = new Promise((r) => (timer = setTimeout(() => r(null), 20_000)));
      const stopped = await Promise.race([this.exited, grace]);
      clearTimeout(timer); // a pending timer would keep the test process alive
      if (!stopped && this.alive) {
        this.child.kill('SIGKILL');
        await this.exited;
      }
    }
    if (!keepFolder) rmSync(this.dir, { recursive: true, force: true });
  }
}
