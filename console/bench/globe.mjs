// Console benchmark: a real arcnetd simulating N nodes, the built console in headless chromium
// (software WebGL), and per size: time from navigation to the first full globe frame, globe
// redraws and animation frames per second over a few seconds, the longest gap between
// animation frames, and the time spent applying stream batches. Prints a table; asserts nothing.
//   node bench/globe.mjs [NODES ...]     (default: 150 10000)

import { Daemon, freePort, launchBrowser, sleep } from '../e2e/harness.mjs';

const SIZES = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const MEASURE_MS = 5000;

async function measure(browser, nodes) {
  const daemon = new Daemon({
    port: await freePort(),
    nodes,
    timeScale: 1,
    extra: ['--tick-ms', '1000'],
  });
  await daemon.start();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await page.goto(`${daemon.base}/?token=${daemon.token}`);
    await page.waitForFunction(() => window.__arcnet?.firstFullFrameMs != null, null, {
      timeout: 120_000,
    });
    const first = await page.evaluate(() => window.__arcnet.firstFullFrameMs);
    await sleep(1000);
    const r = await page.evaluate(async (ms) => {
      const probe = window.__arcnet;
      const r0 = probe.renders;
      const a0 = probe.applyMs;
      const b0 = probe.batches;
      let frames = 0;
      let worst = 0;
      let prev = performance.now();
      const start = prev;
      await new Promise((done) => {
        const tick = (t) => {
          frames++;
          worst = Math.max(worst, t - prev);
          prev = t;
          if (t - start < ms) requestAnimationFrame(tick);
          else done();
        };
        requestAnimationFrame(tick);
      });
      const secs = (performance.now() - start) / 1000;
      const batches = probe.batches - b0;
      return {
        redrawsPerS: (probe.renders - r0) / secs,
        rafPerS: frames / secs,
        worstGapMs: worst,
        applyMsPerBatch: batches > 0 ? (probe.applyMs - a0) / batches : 0,
        batchesPerS: batches / secs,
        nodes: probe.summary().nodes,
      };
    }, MEASURE_MS);
    return { nodes, first, ...r };
  } finally {
    await page.close();
    await daemon.stop();
    daemon.cleanup();
  }
}

const browser = await launchBrowser();
const rows = [];
try {
  for (const n of SIZES.length > 0 ? SIZES : [150, 10000]) rows.push(await measure(browser, n));
} finally {
  await browser.close();
}

const head = [
  'nodes',
  'first full frame ms',
  'globe redraws/s',
  'anim frames/s',
  'worst frame gap ms',
  'batches/s',
  'apply ms/batch',
];
const cells = rows.map((r) => [
  String(r.nodes),
  r.first.toFixed(0),
  r.redrawsPerS.toFixed(1),
  r.rafPerS.toFixed(1),
  r.worstGapMs.toFixed(0),
  r.batchesPerS.toFixed(1),
  r.applyMsPerBatch.toFixed(2),
]);
const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
const line = (c) => c.map((x, i) => x.padStart(widths[i])).join('  ');
console.log(
  'Console in headless chromium, software WebGL (swiftshader), 1280x800, every node reporting once a second',
);
console.log(line(head));
for (const c of cells) console.log(line(c));
