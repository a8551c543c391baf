// End-to-end test of the console in a real browser against a real arcnetd: sign-in, the globe,
// node counts, event filters and search, the terminal, draining from the node panel, time travel
// (the past view against the history API), a viewer's read-only view, and reconnecting after the
// daemon restarts. Screenshots go to
// build/console-e2e/. Prints one line per check and "N passed, N failed"; exits non-zero on any
// failure. The daemon and the browser are always stopped.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { Daemon, freePort, launchBrowser, ROOT, sleep } from './harness.mjs';

const OUT = join(ROOT, 'build/console-e2e');
const HARD_LIMIT_MS = 150_000;
const results = [];
let daemon = null;
let browser = null;

function check(name, ok, detail = '') {
  results.push({ name, ok });
  console.log(`${ok ? 'ok     ' : 'FAILED '} ${name}${detail ? ` (${detail})` : ''}`);
}

async function until(what, fn, ms = 15000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await sleep(150);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Counts pixels of the globe screenshot near each energy colour, decoded in the page. */
async function globeColours(page) {
  const png = await page.locator('[data-testid=globe]').screenshot({
    path: join(OUT, 'globe.png'),
  });
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const css = getComputedStyle(document.documentElement);
    const targets = ['cogen-solar', 'cogen-wind', 'cogen-gas', 'battery', 'grid'].map((k) => {
      const hex = css.getPropertyValue(`--energy-${k}`).trim().slice(1);
      const v = parseInt(hex, 16);
      return [k, [(v >> 16) & 255, (v >> 8) & 255, v & 255]];
    });
    const counts = Object.fromEntries(targets.map(([k]) => [k, 0]));
    const distinct = new Set();
    for (let i = 0; i < d.length; i += 4) {
      distinct.add((d[i] >> 4) * 256 + (d[i + 1] >> 4) * 16 + (d[i + 2] >> 4));
      for (const [k, [r, gg, b]] of targets) {
        if (Math.abs(d[i] - r) + Math.abs(d[i + 1] - gg) + Math.abs(d[i + 2] - b) < 40) counts[k]++;
      }
    }
    return { counts, distinct: distinct.size };
  }, png.toString('base64'));
}

async function visibleTexts(page, selector) {
  return page.locator(selector).allInnerTexts();
}

async function signInAndGlobe(page) {
  await page.goto(`${daemon.base}/?token=${daemon.token}`);
  await until('the stream to open', () =>
    page.locator('[data-testid=connection][data-state=open]').count(),
  );
  check('the token is removed from the address bar', !page.url().includes('token='), page.url());
  check(
    'an operator token is shown as operator',
    (await page.innerText('[data-testid=role]')) === 'operator',
  );
  const apiCount = (await daemon.api('/v1/nodes')).body.nodes.length;
  const uiCount = await until('nodes in the UI', async () => {
    const n = Number(await page.innerText('[data-testid=node-count]'));
    return n > 0 ? n : 0;
  });
  check(
    'node count in the UI equals GET /v1/nodes',
    uiCount === apiCount,
    `${uiCount} vs ${apiCount}`,
  );
  await sleep(2500);
  const g = await globeColours(page);
  const coloured = Object.values(g.counts).filter((n) => n > 20).length;
  check('the globe is not blank', g.distinct > 50, `${g.distinct} distinct colours`);
  check('the globe shows node energy colours', coloured >= 2, JSON.stringify(g.counts));
}

async function eventFilters(page) {
  await until(
    'events in the log',
    async () => Number(await page.getAttribute('[data-testid=event-count]', 'data-shown')) > 0,
  );
  const total = Number(await page.getAttribute('[data-testid=event-count]', 'data-shown'));
  const rendered = Number(await page.getAttribute('[data-testid=event-list]', 'data-rendered'));
  check(
    'the event list renders only the visible rows',
    rendered <= 60,
    `${rendered} rows for ${total}`,
  );
  const firstType = await page
    .locator('[data-testid=event-row] span:nth-child(4)')
    .first()
    .innerText();
  await page.selectOption('[data-testid=filter-type]', firstType);
  const types = await page.locator('[data-testid=event-row] span:nth-child(4)').allInnerTexts();
  check(
    'the type filter keeps only that type',
    types.length > 0 && types.every((t) => t === firstType),
    firstType,
  );
  await page.selectOption('[data-testid=filter-type]', '');
  const zone = await page.locator('[data-testid=event-row] span:nth-child(3)').last().innerText();
  await page.selectOption('[data-testid=filter-zone]', zone);
  const zones = await page.locator('[data-testid=event-row] span:nth-child(3)').allInnerTexts();
  check(
    'the zone filter keeps only that zone',
    zones.length > 0 && zones.every((z) => z === zone),
    zone,
  );
  await page.selectOption('[data-testid=filter-zone]', '');
  await page.selectOption('[data-testid=filter-severity]', 'warning');
  const sev = await page.locator('[data-testid=event-row] span:nth-child(2)').allInnerTexts();
  const shown = Number(await page.getAttribute('[data-testid=event-count]', 'data-shown'));
  const held = await page.evaluate(() => window.__arcnet.summary().severities);
  const expected = (held.warning ?? 0) + (held.critical ?? 0);
  check(
    'the severity filter keeps warnings and worse',
    sev.every((x) => x !== 'info') && Math.abs(shown - expected) <= 5,
    `${shown} shown, ${expected} held`,
  );
  await page.selectOption('[data-testid=filter-severity]', '');
  const node = (await page.locator('[data-testid=event-row] button').first().innerText()).trim();
  await page.fill('[data-testid=event-search]', node);
  const rows = await visibleTexts(page, '[data-testid=event-row]');
  check(
    'search keeps only matching events',
    rows.length > 0 && rows.every((r) => r.includes(node)),
    node,
  );
  await page.fill('[data-testid=event-search]', '');
}

async function terminal(page) {
  const input = page.locator('[data-testid=terminal-input]');
  await input.fill('zo');
  await input.press('Tab');
  check('tab completes a command', (await input.inputValue()) === 'zones ');
  await input.press('Enter');
  const out = await until('the zones answer', async () => {
    const t = await page.innerText('[data-testid=terminal-output]');
    return t.includes('central') && t.includes('P99') ? t : '';
  });
  check('the terminal answers zones', out.includes('west') && out.includes('east'));
  await page.locator('section:has([data-testid=terminal-input])').screenshot({
    path: join(OUT, 'terminal.png'),
  });
  await input.fill('nodes --zone nowhere');
  await input.press('Enter');
  await until('the usage error', async () =>
    (await page.innerText('[data-testid=terminal-output]')).includes('must be one of'),
  );
  check('the terminal rejects a bad choice like the CLI', true);
  await input.press('ArrowUp');
  check('up recalls the last command', (await input.inputValue()) === 'nodes --zone nowhere');
  await input.fill('');
}

async function drain(page) {
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('j');
  const panel = page.locator('[data-testid=node-panel]');
  await panel.waitFor();
  const id = await panel.getAttribute('data-node');
  await page.locator('[data-testid=node-history]').waitFor();
  check('the node panel shows the node history', true);
  await page.click('[data-testid=action-drain]');
  const drained = await until(
    'the drain to apply',
    async () => (await daemon.api(`/v1/nodes/${id}`)).body.node.drained,
  );
  check('drain from the node panel drains the node (API)', drained === true, id);
  await until('the panel to show it', async () =>
    (await page.innerText('[data-testid=node-status]')).includes('drained'),
  );
  check('the node panel shows the node drained', true);
  await page.screenshot({ path: join(OUT, 'console.png') });
  await page.click('[data-testid=action-undrain]');
  const back = await until(
    'the undrain',
    async () => !(await daemon.api(`/v1/nodes/${id}`)).body.node.drained,
  );
  check('undrain from the node panel undrains it (API)', back);
}

/** The daemon's present (simulated microseconds). */
async function daemonNow() {
  return (await daemon.api('/v1/zones')).body.time;
}

/** Clicks the time slider where it shows time t; returns the time the console picked. */
async function slideTo(page, t) {
  const slider = page.locator('[data-testid=time-slider]');
  const from = Number(await slider.getAttribute('data-from'));
  const to = Number(await slider.getAttribute('data-to'));
  const box = await slider.boundingBox();
  const f = Math.max(0.02, Math.min(0.98, (t - from) / (to - from)));
  await page.mouse.click(box.x + 8 + f * (box.width - 16), box.y + box.height / 2);
  const banner = page.locator('[data-testid=past-banner]');
  await banner.waitFor();
  return Number(await banner.getAttribute('data-target'));
}

async function pastPanel(page) {
  await until('the past node to load', async () => {
    const at = await page.getAttribute('[data-testid=node-asof]', 'data-at');
    const shown = await page.getAttribute('[data-testid=past-banner]', 'data-shown');
    const target = await page.getAttribute('[data-testid=past-banner]', 'data-target');
    return at !== '' && at === shown && shown === target;
  });
  return {
    at: Number(await page.getAttribute('[data-testid=node-asof]', 'data-at')),
    status: await page.innerText('[data-testid=node-status]'),
    soc: Number(await page.getAttribute('[data-testid=node-battery]', 'data-soc')),
    count: Number(await page.innerText('[data-testid=node-count]')),
  };
}

async function timeTravel(page) {
  await until(
    'history for the slider',
    async () => !(await page.locator('[data-testid=time-slider]').isDisabled()),
    20000,
  );
  check('the time slider is enabled once history exists', true);
  const id = await page.getAttribute('[data-testid=node-panel]', 'data-node');
  const t1 = await daemonNow();
  await daemon.api(`/v1/nodes/${id}/drain`, 'POST');
  await until('the live panel to show the drain', async () =>
    (await page.innerText('[data-testid=node-status]')).includes('drained'),
  );
  const slider = page.locator('[data-testid=time-slider]');
  const from = Number(await slider.getAttribute('data-from'));
  const target = await slideTo(page, from + (t1 - from) / 2);
  check('the slider picks a time before the drain', target > 0 && target < t1, `${target} < ${t1}`);
  const past = await pastPanel(page);
  const api = (await daemon.api(`/v1/nodes/${id}?valid_at=${past.at}`)).body.node;
  check(
    'in the past the node panel shows the node undrained, as the history API does',
    past.status === api.status && !past.status.includes('drain'),
    `${id}: "${past.status}" vs API "${api.status}"`,
  );
  check(
    'the past battery equals GET /v1/nodes/{id}?valid_at',
    Math.abs(past.soc - api.battery_soc) < 1e-6,
    `${past.soc} vs ${api.battery_soc}`,
  );
  const apiCount = (await daemon.api(`/v1/nodes?valid_at=${past.at}`)).body.nodes.length;
  check('the past node count equals GET /v1/nodes?valid_at', past.count === apiCount);
  check(
    'drain is disabled in the past',
    await page.locator('[data-testid=action-drain]').isDisabled(),
  );
  check(
    'undrain is disabled in the past',
    await page.locator('[data-testid=action-undrain]').isDisabled(),
  );
  const frames = (await page.evaluate(() => window.__arcnet.summary())).frames;
  await sleep(1200);
  const later = await page.evaluate(() => window.__arcnet.summary());
  const still = await page.innerText('[data-testid=node-status]');
  const shown = Number(await page.getAttribute('[data-testid=past-banner]', 'data-shown'));
  check(
    'live frames keep arriving without changing the past view',
    later.frames > frames && still === past.status && shown === past.at,
    `${later.frames - frames} frames`,
  );
  check(
    'the zone panel shows the past',
    (await page.locator('[data-testid=zones-past]').count()) === 1,
  );
  await page.screenshot({ path: join(OUT, 'time-travel.png') });
  await page.keyboard.press('Escape');
  await until(
    'the banner to go',
    async () => (await page.locator('[data-testid=past-banner]').count()) === 0,
  );
  const live = await until('the live drain again', async () => {
    const t = await page.innerText('[data-testid=node-status]');
    return t.includes('drained') ? t : '';
  });
  check('Escape returns to live, where the node is drained', live.includes('drained'), live);
  const typed = Math.round(from + (t1 - from) / 3);
  const input = page.locator('[data-testid=terminal-input]');
  await input.fill(`travel ${typed}`);
  await input.press('Enter');
  const banner = page.locator('[data-testid=past-banner]');
  await banner.waitFor();
  check(
    'the terminal travels to a typed time',
    Number(await banner.getAttribute('data-target')) === typed,
  );
  await page.click('[data-testid=live-button]');
  check(
    'the Live button returns to live',
    (await page.locator('[data-testid=past-banner]').count()) === 0 &&
      (await page.innerText('[data-testid=node-status]')).includes('drained'),
  );
  await daemon.api(`/v1/nodes/${id}/undrain`, 'POST');
}

async function viewer(ctx) {
  const page = await ctx.newPage();
  await page.goto(`${daemon.base}/?token=${daemon.viewerToken}`);
  await until('the viewer console', () =>
    page.locator('[data-testid=connection][data-state=open]').count(),
  );
  check(
    'a viewer token is shown as read only',
    (await page.innerText('[data-testid=role]')).includes('viewer'),
  );
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('j');
  await page.locator('[data-testid=node-panel]').waitFor();
  check('a viewer cannot drain', await page.locator('[data-testid=action-drain]').isDisabled());
  const input = page.locator('[data-testid=terminal-input]');
  const id = await page.getAttribute('[data-testid=node-panel]', 'data-node');
  await input.fill(`drain ${id}`);
  await input.press('Enter');
  await until('the refusal', async () =>
    (await page.innerText('[data-testid=terminal-output]')).includes('403'),
  );
  check('the server refuses a viewer drain with 403 and the terminal says so', true);
  await page.close();
}

async function reconnect(page) {
  const before = await page.evaluate(() => window.__arcnet.summary());
  await daemon.stop();
  await until('the console to notice', () =>
    page.locator('[data-testid=connection][data-state=reconnecting]').count(),
  );
  check('the connection indicator shows the daemon is away', true);
  await page.screenshot({ path: join(OUT, 'reconnecting.png') });
  await daemon.start();
  await until(
    'the stream to reopen',
    () => page.locator('[data-testid=connection][data-state=open]').count(),
    30000,
  );
  const after = await until('a snapshot after the restart', async () => {
    const s = await page.evaluate(() => window.__arcnet.summary());
    return s.snapshots > before.snapshots && s.frames > before.frames + 2 ? s : null;
  });
  check(
    'after the restart the console resynchronises by snapshot',
    after.snapshots > before.snapshots,
  );
  check('no sequence gap was applied', after.gaps === 0, `gaps=${after.gaps}`);
  const apiCount = (await daemon.api('/v1/nodes')).body.nodes.length;
  check(
    'node count still matches the API',
    after.nodes === apiCount,
    `${after.nodes} vs ${apiCount}`,
  );
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  daemon = new Daemon({ port: await freePort(), timeScale: 20 });
  await daemon.start();
  browser = await launchBrowser();
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signInAndGlobe(page);
  await eventFilters(page);
  await terminal(page);
  await drain(page);
  await timeTravel(page);
  await viewer(ctx);
  await reconnect(page);
  check('no uncaught errors in the page', errors.length === 0, errors.join('; '));
}

async function cleanup() {
  await browser?.close().catch(() => undefined);
  await daemon?.stop().catch(() => undefined);
  daemon?.cleanup();
}

const timer = setTimeout(async () => {
  console.log(`FAILED  the e2e test ran over ${HARD_LIMIT_MS / 1000} s`);
  await cleanup();
  process.exit(1);
}, HARD_LIMIT_MS);

try {
  await main();
} catch (e) {
  check('the e2e run completed', false, e instanceof Error ? e.message : String(e));
  if (daemon?.log) console.log(daemon.log.slice(-2000));
} finally {
  await cleanup();
  clearTimeout(timer);
}
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
