import { describe, expect, it } from 'vitest';

import { ApiClient, type FetchLike } from '../api';
import { commonPrefix, complete, parseLine, splitLine } from './parse';
import { runLine } from './run';

describe('splitLine', () => {
  it('splits on blanks and honours quotes and escapes', () => {
    const r = splitLine(`infer --input 'a b' "c \\"d\\"" e\\ f`);
    expect(r).toEqual({ ok: true, words: ['infer', '--input', 'a b', 'c "d"', 'e f'] });
  });

  it('drops a leading arcnet', () => {
    expect(splitLine('arcnet zones')).toEqual({ ok: true, words: ['zones'] });
  });

  it('refuses an unclosed quote', () => {
    expect(splitLine("nodes --zone 'west").ok).toBe(false);
  });
});

describe('parseLine', () => {
  it('parses options in both forms and arguments', () => {
    const r = parseLine('nodes --zone west --status=up');
    expect(r.ok && r.parsed.values).toEqual({ '--zone': 'west', '--status': 'up' });
    const n = parseLine('node w-phoenix-01 --json');
    expect(n.ok && n.parsed.args).toEqual(['w-phoenix-01']);
    expect(n.ok && n.parsed.json).toBe(true);
  });

  it('refuses an unknown command or option', () => {
    expect(parseLine('frobnicate')).toEqual({
      ok: false,
      error: 'unknown command "frobnicate" (try help)',
    });
    expect(parseLine('zones --zone west').ok).toBe(false);
  });

  it('refuses a choice outside the list', () => {
    const r = parseLine('nodes --zone north');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toContain('west, central, east');
  });

  it('checks number ranges and whole numbers', () => {
    expect(parseLine('route --model m --lat 91 --lon 0').ok).toBe(false);
    expect(parseLine('route --model m --lat 40.5 --lon -100').ok).toBe(true);
    expect(parseLine('events --limit 2.5').ok).toBe(false);
    expect(parseLine('events --limit 0').ok).toBe(false);
  });

  it('demands required options and arguments unless --help', () => {
    expect(parseLine('route --lat 1 --lon 1').ok).toBe(false);
    expect(parseLine('drain').ok).toBe(false);
    expect(parseLine('drain --help').ok).toBe(true);
    expect(parseLine('drain a b').ok).toBe(false);
  });

  it('passes everything after sim through', () => {
    const r = parseLine('sim --hours 2 --whatever');
    expect(r.ok && r.parsed.rest).toEqual(['--hours', '2', '--whatever']);
  });
});

describe('complete', () => {
  it('completes command names', () => {
    expect(complete('no')).toEqual(['nodes', 'node']);
    expect(complete('')).toContain('undrain');
  });

  it('completes option names after a dash', () => {
    expect(complete('nodes --z')).toEqual(['--zone']);
    expect(complete('zones --')).toEqual(['--server', '--token', '--json', '--help']);
  });

  it('completes an option value from its choices', () => {
    expect(complete('nodes --zone ')).toEqual(['west', 'central', 'east']);
    expect(complete('events --severity c')).toEqual(['critical']);
  });

  it('finds the common prefix to insert', () => {
    expect(commonPrefix(['nodes', 'node'])).toBe('node');
    expect(commonPrefix([])).toBe('');
  });
});

describe('runLine', () => {
  const node = {
    id: 'w-a-01',
    zone: 'west',
    site: 'A',
    lat: 1,
    lon: 2,
    gpus_total: 4,
    battery_kwh: 10,
    models: ['m'],
    status: 'up',
    drained: false,
    energy_source: 'grid',
    carbon_g_per_kwh: 300,
    battery_soc: 0.5,
    gpu_util: 0.25,
    gpus_free: 3,
    queue_depth: 1,
    power_kw: 2,
    last_seen: 0,
  };
  function api(status: number, body: unknown, calls: string[] = []) {
    const f: FetchLike = (url, init) => {
      calls.push(`${init?.method ?? 'GET'} ${url}`);
      return Promise.resolve(new Response(JSON.stringify(body), { status }));
    };
    return new ApiClient('t', '', f);
  }

  it('answers nodes with a table from GET /v1/nodes', async () => {
    const calls: string[] = [];
    const r = await runLine(api(200, { nodes: [node] }, calls), 'nodes --zone west');
    expect(calls).toEqual(['GET /v1/nodes?zone=west']);
    expect(r.text).toContain('w-a-01');
    expect(r.text).toContain('1 nodes');
  });

  it('passes nodes options to the API under their parameter names', async () => {
    const calls: string[] = [];
    await runLine(api(200, { nodes: [] }, calls), 'nodes --energy-source grid --as-of 2026-01-01');
    expect(calls).toEqual(['GET /v1/nodes?energy_source=grid&as_of=2026-01-01']);
  });

  it('shows a node history from GET /v1/nodes/ID/history', async () => {
    const calls: string[] = [];
    const body = {
      node: 'w-a-01',
      buckets: [
        {
          time: 1_700_000_000_000_000,
          samples: 3,
          status: 'up',
          energy_source: 'grid',
          gpu_util: 0.5,
          battery_soc: 0.25,
          carbon_g_per_kwh: 300,
        },
      ],
    };
    const r = await runLine(api(200, body, calls), 'history w-a-01 --step 5m');
    expect(calls).toEqual(['GET /v1/nodes/w-a-01/history?step=5m']);
    expect(r.text).toContain('2023-11-14 22:13:20');
    expect(r.text).toContain('50');
  });

  it('drains through POST /v1/nodes/ID/drain', async () => {
    const calls: string[] = [];
    const r = await runLine(
      api(200, { node: { ...node, drained: true, status: 'draining' } }, calls),
      'drain w-a-01',
    );
    expect(calls).toEqual(['POST /v1/nodes/w-a-01/drain']);
    expect(r).toEqual({ text: 'w-a-01: draining (drained)', error: false });
  });

  it('shows the server error for a refused change', async () => {
    const body = { error: { code: 'forbidden', message: 'this token may only read' } };
    const r = await runLine(api(403, body), 'drain w-a-01');
    expect(r.error).toBe(true);
    expect(r.text).toContain('this token may only read');
  });

  it('prints usage for help and a parse error for a bad line', async () => {
    expect((await runLine(api(200, {}), 'help')).text).toContain('Commands:');
    expect((await runLine(api(200, {}), 'help nodes')).text).toContain('--energy-source');
    expect((await runLine(api(200, {}), 'nodes --zone x')).error).toBe(true);
  });

  it('prints raw JSON with --json', async () => {
    const r = await runLine(api(200, { node }), 'node w-a-01 --json');
    expect(JSON.parse(r.text)).toEqual({ node });
  });
});
