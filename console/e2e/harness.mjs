// Shared by the end-to-end test and the benchmark: start a real arcnetd on a free port with a
// temporary data directory, launch Debian's chromium headless through playwright-core, and
// always clean both up.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ARCNETD = process.env.ARCNETD ?? join(ROOT, 'build/arcnetd');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
];

export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A daemon on loopback; start() again after stop() reuses the port and data directory. */
export class Daemon {
  constructor({ port, nodes = 150, timeScale = 60, extra = [] }) {
    this.port = port;
    this.nodes = nodes;
    this.timeScale = timeScale;
    this.extra = extra;
    this.dataDir = mkdtempSync(join(tmpdir(), 'arcnet-e2e-'));
    this.token = `op-${Math.random().toString(36).slice(2)}-e2e-token`;
    this.viewerToken = `view-${Math.random().toString(36).slice(2)}-e2e-token`;
    this.base = `http://127.0.0.1:${port}`;
    this.proc = null;
    this.log = '';
  }

  async start() {
    const args = [
      '--listen',
      `127.0.0.1:${this.port}`,
      '--data-dir',
      this.dataDir,
      '--nodes',
      String(this.nodes),
      '--time-scale',
      String(this.timeScale),
      '--console-dir',
      join(ROOT, 'console/dist'),
      ...this.extra,
    ];
    const env = { ...process.env, ARCNET_TOKEN: this.token, ARCNET_VIEWER_TOKEN: this.viewerToken };
    this.proc = spawn(ARCNETD, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d) => {
      this.log = (this.log + d.toString()).slice(-20000);
    };
    this.proc.stdout.on('data', keep);
    this.proc.stderr.on('data', keep);
    const deadline = Date.now() + 15000;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) throw new Error(`arcnetd exited:\n${this.log}`);
      try {
        if ((await fetch(`${this.base}/healthz`)).ok) return;
      } catch {
        /* not listening yet */
      }
      await sleep(100);
    }
    throw new Error(`arcnetd did not answer /healthz:\n${this.log}`);
  }

  async stop() {
    const p = this.proc;
    this.proc = null;
    if (p === null || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }

  async api(path, method = 'GET', token = this.token) {
    const res = await fetch(this.base + path, {
      method,
      headers: { Authorization: `Bearer ${token}` },
    });
    return { status: res.status, body: await res.json() };
  }

  cleanup() {
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}
