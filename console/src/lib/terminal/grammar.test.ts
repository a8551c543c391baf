// Checks that the terminal's grammar table agrees with the C table the `arcnet` program is built
// from (src/cli/grammar_table.c) and with the enum name tables the C choices come from.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

import { CHOICE_SETS, COMMANDS, GLOBALS, type OptionSpec } from './grammar';

const root = resolve(__dirname, '../../../..');
const read = (p: string) => readFileSync(resolve(root, p), 'utf8');

/** Splits a C argument list at top-level commas, joining adjacent string literals. */
function cArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (inStr) {
      cur += c;
      if (c === '\\') cur += text[++i];
      else if (c === '"') inStr = false;
    } else if (c === '"') {
      inStr = true;
      cur += c;
    } else if (c === '(' || c === '{') {
      depth++;
      cur += c;
    } else if (c === ')' || c === '}') {
      depth--;
      cur += c;
    } else if (c === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out.map((a) => (a.startsWith('"') ? cString(a) : a));
}

function cString(a: string): string {
  return [...a.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] as string).join('');
}

/** The text between the bracket at `open` and its match. */
function balanced(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(' || text[i] === '{') depth++;
    if (text[i] === ')' || text[i] === '}') depth--;
    if (depth === 0) return text.slice(open + 1, i);
  }
  throw new Error('unbalanced');
}

const CHOICE_FNS: Record<string, string> = {
  zone_choice: 'zone',
  status_choice: 'status',
  source_choice: 'source',
  priority_choice: 'priority',
  policy_choice: 'policy',
  model_choice: 'model',
  event_type_choice: 'event_type',
  severity_choice: 'severity',
};

interface COption {
  name: string;
  metavar: string | null;
  help: string;
  kind: string;
  required: boolean;
  choices: string | null;
}

function cOptions(text: string, macros: Record<string, string>): COption[] {
  const expanded = text.replace(/\bREQUEST_OPTIONS\b/g, macros.REQUEST_OPTIONS ?? '');
  const out: COption[] = [];
  for (const m of expanded.matchAll(/\b(CHOICE|TEXT|NUMBER|COUNT|FLAG)\(/g)) {
    const a = cArgs(balanced(expanded, (m.index as number) + (m[1] as string).length));
    const kind = (m[1] as string).toLowerCase();
    const fn = (x: string | undefined) => (x === undefined || x === 'NULL' ? null : CHOICE_FNS[x]);
    if (kind === 'flag') {
      out.push({ name: a[0]!, metavar: null, help: a[1]!, kind, required: false, choices: null });
    } else if (kind === 'choice') {
      out.push({
        name: a[0]!,
        metavar: a[1]!,
        help: a[2]!,
        kind,
        required: false,
        choices: fn(a[3])!,
      });
    } else if (kind === 'text') {
      const required = a[3] === 'true';
      out.push({
        name: a[0]!,
        metavar: a[1]!,
        help: a[2]!,
        kind,
        required,
        choices: fn(a[4]) ?? null,
      });
    } else {
      out.push({
        name: a[0]!,
        metavar: a[1]!,
        help: a[2]!,
        kind,
        required: kind === 'number',
        choices: null,
      });
    }
  }
  return out;
}

function cMacroBody(src: string, name: string): string {
  const m = new RegExp(`#define ${name}\\s*\\\\\\n([\\s\\S]*?)\\n\\n`).exec(src);
  return (m?.[1] ?? '').replace(/\\\n/g, '\n');
}

function cTable(src: string) {
  const start = src.indexOf('commands[] = {');
  const body = balanced(src, src.indexOf('{', start));
  const macros = { REQUEST_OPTIONS: cMacroBody(src, 'REQUEST_OPTIONS') };
  const entries = body.split(/\n\s*\{\.name = /).slice(1);
  return entries.map((e) => {
    const text = `.name = ${e}`;
    const field = (f: string) => {
      const m = new RegExp(`\\.${f}\\s*=\\s*((?:"(?:[^"\\\\]|\\\\.)*"\\s*)+|[\\w]+)`).exec(text);
      return m?.[1];
    };
    const optStart = text.indexOf('.options');
    return {
      name: cString(field('name') ?? ''),
      summary: cString(field('summary') ?? ''),
      args: field('args') === undefined ? null : cString(field('args') as string),
      minArgs: Number(field('min_args') ?? 0),
      maxArgs: Number(field('max_args') ?? 0),
      changesState: field('changes_state') === 'true',
      passthrough: field('passthrough') === 'true',
      optionCount: Number(field('option_count') ?? 0),
      options: optStart < 0 ? [] : cOptions(text.slice(optStart), macros),
    };
  });
}

function cNames(path: string, array: string): string[] {
  const src = read(path);
  const start = src.indexOf(`${array}[`);
  if (start < 0) throw new Error(`${array} not found in ${path}`);
  const body = balanced(src, src.indexOf('{', start));
  const entries = body.includes('{') ? [...body.matchAll(/\{\s*"([^"]+)"/g)] : null;
  const strings = entries ?? [...body.matchAll(/"([^"]+)"/g)];
  return strings.map((m) => m[1] as string);
}

function tsOption(o: OptionSpec): COption {
  return {
    name: o.name,
    metavar: o.metavar,
    help: o.help,
    kind: o.kind,
    required: o.required,
    choices: o.choices,
  };
}

describe('the terminal grammar', () => {
  const c = cTable(read('src/cli/grammar_table.c'));

  it('has the same commands in the same order as the C table', () => {
    expect(COMMANDS.map((x) => x.name)).toEqual(c.map((x) => x.name));
  });

  it('gives each command the same summary, arguments and flags', () => {
    for (const cc of c) {
      const t = COMMANDS.find((x) => x.name === cc.name);
      expect(t, cc.name).toBeDefined();
      const { name, summary, args, minArgs, maxArgs, changesState, passthrough } = t!;
      expect({ name, summary, args, minArgs, maxArgs, changesState, passthrough }).toEqual({
        name: cc.name,
        summary: cc.summary,
        args: cc.args,
        minArgs: cc.minArgs,
        maxArgs: cc.maxArgs,
        changesState: cc.changesState,
        passthrough: cc.passthrough,
      });
    }
  });

  it('gives each command the same options', () => {
    for (const cc of c) {
      const t = COMMANDS.find((x) => x.name === cc.name)!;
      expect(cc.options).toHaveLength(cc.optionCount);
      expect(t.options.map(tsOption), cc.name).toEqual(cc.options);
    }
  });

  it('has the same global options', () => {
    const src = read('src/cli/grammar_table.c');
    const start = src.indexOf('globals[] = {');
    const cg = cOptions(balanced(src, src.indexOf('{', start)), {});
    expect(GLOBALS.map(tsOption)).toEqual(cg);
  });

  it('draws choices from the same names as the C enums', () => {
    expect(CHOICE_SETS.zone).toEqual(cNames('src/core/types.c', 'zone_names'));
    expect(CHOICE_SETS.source).toEqual(cNames('src/core/types.c', 'source_names'));
    expect(CHOICE_SETS.status).toEqual(cNames('src/core/types.c', 'node_status_names'));
    expect(CHOICE_SETS.priority).toEqual(cNames('src/core/types.c', 'priority_names'));
    expect(CHOICE_SETS.model).toEqual(cNames('src/core/types.c', 'models'));
    expect(CHOICE_SETS.policy).toEqual(cNames('src/route/router.c', 'policy_names'));
    expect(CHOICE_SETS.event_type).toEqual(cNames('src/state/events.c', 'type_names'));
    expect(CHOICE_SETS.severity).toEqual(cNames('src/state/events.c', 'severity_names'));
  });
});
