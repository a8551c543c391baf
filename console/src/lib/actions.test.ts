import { describe, expect, it } from 'vitest';

import { actionForKey, findAction, type ActionContext } from './actions';
import { ApiClient, type FetchLike } from './api';
import type { MeshNode } from './types';

const node = (id: string, drained = false) => ({ id, drained, status: 'up' }) as MeshNode;

function ctx(over: Partial<ActionContext> = {}, status = 200, body: unknown = {}) {
  const log: string[] = [];
  const f: FetchLike = (url, init) => {
    log.push(`${init?.method} ${url}`);
    return Promise.resolve(new Response(JSON.stringify(body), { status }));
  };
  const c: ActionContext = {
    api: new ApiClient('t', '', f),
    role: 'operator',
    selected: node('a'),
    nodes: [node('a'), node('b'), node('c')],
    select: (id) => log.push(`select ${id}`),
    patchNode: (id, n) => log.push(`patch ${id} ${JSON.stringify(n)}`),
    notify: (t, e) => log.push(`${e ? 'error' : 'ok'} ${t}`),
    focus: (p) => log.push(`focus ${p}`),
    past: false,
    canTravel: true,
    travel: (t) => log.push(`travel ${t}`),
    goLive: () => log.push('live'),
    ...over,
  };
  return { c, log };
}

describe('actions', () => {
  it('lets an operator drain an undrained node', () => {
    const { c } = ctx();
    expect(findAction('drain')?.predicate(c)).toBe(true);
    expect(findAction('undrain')?.predicate(c)).toBe(false);
  });

  it('never lets a viewer drain', () => {
    const { c } = ctx({ role: 'viewer' });
    expect(findAction('drain')?.predicate(c)).toBe(false);
  });

  it('drains through the API and patches the node', async () => {
    const { c, log } = ctx({}, 200, { node: { id: 'a', drained: true } });
    await findAction('drain')?.perform(c);
    expect(log).toEqual([
      'POST /v1/nodes/a/drain',
      'patch a {"id":"a","drained":true}',
      'ok a drained',
    ]);
  });

  it('reports a refusal from the server', async () => {
    const body = { error: { code: 'forbidden', message: 'this token may only read' } };
    const { c, log } = ctx({}, 403, body);
    await findAction('drain')?.perform(c);
    expect(log[1]).toBe('error a: this token may only read (403)');
  });

  it('maps shortcuts to actions that apply', () => {
    const { c, log } = ctx();
    void actionForKey('j', c)?.perform(c);
    expect(log).toEqual(['select b']);
    expect(actionForKey('u', c)).toBeUndefined();
  });

  it('wraps around when stepping back from the first node', () => {
    const { c, log } = ctx();
    void actionForKey('k', c)?.perform(c);
    expect(log).toEqual(['select c']);
  });

  it('disables drain and undrain while the console shows the past', () => {
    const { c } = ctx({ past: true });
    expect(findAction('drain')?.predicate(c)).toBe(false);
    const drained = ctx({ past: true, selected: node('a', true) }).c;
    expect(findAction('undrain')?.predicate(drained)).toBe(false);
  });

  it('travels to the time it is given', () => {
    const { c, log } = ctx();
    void findAction('time-travel')?.perform(c, { time: 1234 });
    expect(log).toEqual(['travel 1234']);
  });

  it('cannot travel without history', () => {
    const { c } = ctx({ canTravel: false });
    expect(findAction('time-travel')?.predicate(c)).toBe(false);
  });

  it('returns to live on Escape before it closes the node panel', () => {
    const { c, log } = ctx({ past: true });
    void actionForKey('Escape', c)?.perform(c);
    expect(log).toEqual(['live']);
    const live = ctx().c;
    expect(actionForKey('Escape', live)?.name).toBe('deselect');
  });
});
