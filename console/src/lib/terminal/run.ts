// Runs a parsed terminal command against the daemon's REST API and renders the answer as text,
// the same calls and shapes the `arcnet` program uses. Pure over an injected ApiClient.

import { ApiError, type ApiClient } from '../api';
import type { MeshNode, ZoneSummary } from '../types';
import { fixed, keyValues, pct, table } from './format';
import { findCommand } from './grammar';
import { commandUsage, parseLine, usage, type Parsed } from './parse';

export interface TerminalResult {
  text: string;
  error: boolean;
}

const ok = (text: string): TerminalResult => ({ text, error: false });
const fail = (text: string): TerminalResult => ({ text, error: true });

function nodesTable(nodes: MeshNode[]): string {
  const rows = nodes.map((n) => [
    n.id,
    n.zone,
    n.status,
    n.energy_source,
    Math.round(n.gpu_util * 100),
    Math.round(n.battery_soc * 100),
    Math.round(n.carbon_g_per_kwh),
    n.queue_depth,
  ]);
  const head = ['ID', 'ZONE', 'STATUS', 'SOURCE', 'GPU%', 'BATT%', 'gCO2/kWh', 'QUEUE'];
  return `${table(head, rows)}\n${nodes.length} nodes`;
}

function nodeBlock(n: MeshNode): string {
  return keyValues([
    ['id', n.id],
    ['site', n.site],
    ['zone', n.zone],
    ['status', n.status],
    ['drained', n.drained],
    ['position', `${n.lat}, ${n.lon}`],
    ['gpus', `${n.gpus_total - n.gpus_free} of ${n.gpus_total} busy (${pct(n.gpu_util)})`],
    ['battery', `${pct(n.battery_soc)} of ${n.battery_kwh} kWh`],
    ['energy', `${n.energy_source}, ${fixed(n.carbon_g_per_kwh)} g CO2/kWh`],
    ['power', `${fixed(n.power_kw)} kW`],
    ['queue', n.queue_depth],
    ['models', n.models.join(', ')],
  ]);
}

function zonesTable(zones: ZoneSummary[]): string {
  const rows = zones.map((z) => [
    z.id,
    `${z.nodes_up}/${z.nodes}`,
    Math.round(z.gpu_util * 100),
    Math.round(z.carbon_g_per_kwh),
    fixed(z.req_per_s, 2),
    fixed(z.p50_ms),
    fixed(z.p99_ms),
  ]);
  return table(['ZONE', 'UP', 'GPU%', 'gCO2/kWh', 'REQ/S', 'P50 ms', 'P99 ms'], rows);
}

function requestBody(p: Parsed): Record<string, unknown> {
  const v = p.values;
  const body: Record<string, unknown> = {
    model: v['--model'],
    origin: { lat: Number(v['--lat']), lon: Number(v['--lon']) },
  };
  if (v['--priority'] !== undefined) body.priority = v['--priority'];
  if (v['--policy'] !== undefined) body.policy = v['--policy'];
  if (v['--input'] !== undefined) body.input = v['--input'];
  return body;
}

interface DecisionView {
  node: string;
  zone: string;
  score: number;
  policy: string;
  spilled: boolean;
  runner_ups: { node: string; zone: string; score: number }[];
}

function decisionText(d: DecisionView): string {
  const head = keyValues([
    ['node', d.node],
    ['zone', d.zone],
    ['score', fixed(d.score, 3)],
    ['policy', d.policy],
    ['spilled', d.spilled],
  ]);
  const rows = d.runner_ups.map((r) => [r.node, r.zone, fixed(r.score, 3)]);
  return rows.length === 0
    ? head
    : `${head}\nrunner-ups:\n${table(['NODE', 'ZONE', 'SCORE'], rows)}`;
}

type Json = Record<string, unknown>;

interface HistoryView {
  node: string;
  buckets: {
    time: number;
    samples: number;
    status: string;
    energy_source: string;
    gpu_util: number;
    battery_soc: number;
    carbon_g_per_kwh: number;
  }[];
}

function historyTable(h: HistoryView): string {
  const rows = h.buckets.map((b) => [
    new Date(b.time / 1000).toISOString().slice(0, 19).replace('T', ' '),
    b.status,
    b.energy_source,
    Math.round(b.gpu_util * 100),
    Math.round(b.battery_soc * 100),
    Math.round(b.carbon_g_per_kwh),
    b.samples,
  ]);
  const head = ['TIME (UTC)', 'STATUS', 'SOURCE', 'GPU%', 'BATT%', 'gCO2/kWh', 'SAMPLES'];
  return `${h.node}\n${table(head, rows)}`;
}

/** /v1/nodes with every given option as a query parameter ("--as-of" -> "as_of"), as the CLI. */
function listPath(p: Parsed): string {
  const q = new URLSearchParams();
  for (const o of p.cmd?.options ?? []) {
    const x = p.values[o.name];
    if (o.kind !== 'flag' && x !== undefined) q.set(o.name.slice(2).replace(/-/g, '_'), x);
  }
  return `/v1/${p.cmd?.name ?? 'nodes'}${q.size > 0 ? `?${q}` : ''}`;
}

async function call(api: ApiClient, p: Parsed): Promise<{ json: unknown; text: () => string }> {
  const v = p.values;
  const arg = p.args[0] ?? '';
  switch (p.cmd?.name) {
    case 'nodes': {
      const nodes = await api.request<{ nodes: MeshNode[] }>('GET', listPath(p));
      return { json: nodes, text: () => nodesTable(nodes.nodes) };
    }
    case 'history': {
      const q = new URLSearchParams();
      for (const k of ['from', 'to', 'step']) {
        const x = v[`--${k}`];
        if (x !== undefined) q.set(k, x);
      }
      const path = `/v1/nodes/${encodeURIComponent(arg)}/history${q.size > 0 ? `?${q}` : ''}`;
      const h = await api.request<HistoryView>('GET', path);
      return { json: h, text: () => historyTable(h) };
    }
    case 'node': {
      const n = await api.node(arg);
      return { json: { node: n }, text: () => nodeBlock(n) };
    }
    case 'zones':
    case 'top': {
      const z = await api.zones();
      return { json: z, text: () => zonesTable(z.zones) };
    }
    case 'route': {
      const r = await api.request<{ decision: DecisionView }>('POST', '/v1/route', requestBody(p));
      return { json: r, text: () => decisionText(r.decision) };
    }
    case 'infer': {
      const r = await api.request<Json>('POST', '/v1/inference', requestBody(p));
      const pairs = Object.entries(r).map(([k, x]) => [
        k,
        typeof x === 'object' ? JSON.stringify(x) : x,
      ]);
      return { json: r, text: () => keyValues(pairs as [string, string][]) };
    }
    case 'events': {
      const evs = await api.events({
        type: v['--type'],
        zone: v['--zone'],
        severity: v['--severity'],
        q: v['--q'],
        since: v['--since'] === undefined ? undefined : Number(v['--since']),
        limit: v['--limit'] === undefined ? undefined : Number(v['--limit']),
      });
      const rows = evs.map((e) => [e.seq, e.severity, e.zone ?? '-', e.type, e.message]);
      const follow =
        v['--follow'] !== undefined ? '\n(the event log panel follows live events)' : '';
      return {
        json: { events: evs },
        text: () => `${table(['SEQ', 'SEVERITY', 'ZONE', 'TYPE', 'MESSAGE'], rows)}${follow}`,
      };
    }
    case 'drain':
    case 'undrain': {
      const n = await api.setDrained(arg, p.cmd.name === 'drain');
      return {
        json: { node: n },
        text: () => `${n.id}: ${n.status}${n.drained ? ' (drained)' : ''}`,
      };
    }
    default:
      throw new Error(`${p.cmd?.name ?? '?'} is not available in the console`);
  }
}

/** Runs one line; never throws: errors come back as text with error set. */
export async function runLine(api: ApiClient, line: string): Promise<TerminalResult> {
  const r = parseLine(line);
  if (!r.ok) return fail(`arcnet: ${r.error}`);
  const p = r.parsed;
  if (p.cmd === null) return ok(usage());
  if (p.help) return ok(commandUsage(p.cmd));
  if (p.cmd.name === 'help') {
    const c = p.args[0] === undefined ? undefined : findCommand(p.args[0]);
    if (p.args[0] !== undefined && c === undefined)
      return fail(`arcnet: unknown command "${p.args[0]}"`);
    return ok(c === undefined ? usage() : commandUsage(c));
  }
  if (p.cmd.name === 'sim') return fail('arcnet: sim runs offline: use the arcnet program');
  try {
    const res = await call(api, p);
    return ok(p.json ? JSON.stringify(res.json, null, 2) : res.text());
  } catch (e) {
    if (e instanceof ApiError) return fail(`arcnet: ${e.message} (${e.status} ${e.code})`);
    return fail(`arcnet: ${e instanceof Error ? e.message : String(e)}`);
  }
}
