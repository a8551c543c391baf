// Parsing one terminal line with the `arcnet` grammar: split into words like a shell, parse
// options and arguments, check values against the table, complete the last word, and print
// usage. Behaves as src/cli/grammar.c does for the same line. Pure.

import {
  choicesOf,
  COMMANDS,
  findCommand,
  GLOBALS,
  type CommandSpec,
  type OptionSpec,
} from './grammar';

export interface Parsed {
  cmd: CommandSpec | null;
  /** Option values by name ("--zone"); "" for a given flag. */
  values: Record<string, string>;
  args: string[];
  json: boolean;
  help: boolean;
  rest: string[];
}

export type ParseResult = { ok: true; parsed: Parsed } | { ok: false; error: string };

/** Splits a line into words: blanks separate, '...' is literal, "..." honours \" and \\. */
export function splitLine(
  line: string,
): { ok: true; words: string[] } | { ok: false; error: string } {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote === "'") {
      if (c === "'") quote = null;
      else cur += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) cur += line[++i];
      else cur += c;
    } else if (c === ' ' || c === '\t') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      inWord = true;
      if (c === "'" || c === '"') quote = c;
      else if (c === '\\' && i + 1 < line.length) cur += line[++i];
      else cur += c;
    }
  }
  if (quote !== null) return { ok: false, error: 'unclosed quote' };
  if (inWord) words.push(cur);
  if (words[0] === 'arcnet') words.shift();
  return { ok: true, words };
}

function checkValue(o: OptionSpec, v: string): string | null {
  if (o.kind === 'text') return v === '' ? `${o.name} needs a value` : null;
  if (o.kind === 'choice') {
    const cs = choicesOf(o);
    return cs.includes(v) ? null : `${o.name} must be one of: ${cs.join(', ')}`;
  }
  const n = Number(v);
  const whole = o.kind === 'count';
  if (v.trim() === '' || !Number.isFinite(n) || (whole && !/^\d+$/.test(v))) {
    return `${o.name} must be ${whole ? 'a whole number' : 'a number'}`;
  }
  if (n < (o.min ?? -Infinity) || n > (o.max ?? Infinity)) {
    return `${o.name} must be between ${o.min} and ${o.max}`;
  }
  return null;
}

function optionFor(cmd: CommandSpec | null, name: string): OptionSpec | undefined {
  return cmd?.options.find((o) => o.name === name) ?? GLOBALS.find((o) => o.name === name);
}

/** Parses words (without the program name) into a checked command line. */
export function parseWords(words: string[]): ParseResult {
  const p: Parsed = { cmd: null, values: {}, args: [], json: false, help: false, rest: [] };
  let optionsDone = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (p.cmd?.passthrough) {
      p.rest = words.slice(i);
      break;
    }
    if (!optionsDone && w === '--') {
      optionsDone = true;
      continue;
    }
    if (!optionsDone && (w === '-h' || w === '--help')) {
      p.help = true;
      continue;
    }
    if (!optionsDone && w.startsWith('--')) {
      const eq = w.indexOf('=');
      const name = eq >= 0 ? w.slice(0, eq) : w;
      const o = optionFor(p.cmd, name);
      if (o === undefined) return { ok: false, error: `unknown option ${name}` };
      if (o.kind === 'flag') {
        if (eq >= 0) return { ok: false, error: `${name} takes no value` };
        if (name === '--json') p.json = true;
        else p.values[name] = '';
        continue;
      }
      const v: string | undefined = eq >= 0 ? w.slice(eq + 1) : words[++i];
      if (v === undefined) return { ok: false, error: `${name} needs a value` };
      const bad = checkValue(o, v);
      if (bad !== null) return { ok: false, error: bad };
      p.values[name] = v;
      continue;
    }
    if (p.cmd === null) {
      const c = findCommand(w);
      if (c === undefined) return { ok: false, error: `unknown command "${w}" (try help)` };
      p.cmd = c;
      continue;
    }
    p.args.push(w);
  }
  return finish(p);
}

function finish(p: Parsed): ParseResult {
  const c = p.cmd;
  if (c === null) {
    return p.help ? { ok: true, parsed: p } : { ok: false, error: 'no command (try help)' };
  }
  if (p.help) return { ok: true, parsed: p };
  if (p.args.length > c.maxArgs) return { ok: false, error: `${c.name}: too many arguments` };
  if (p.args.length < c.minArgs) return { ok: false, error: `${c.name}: missing ${c.args}` };
  for (const o of c.options) {
    if (o.required && !(o.name in p.values))
      return { ok: false, error: `${c.name}: ${o.name} is required` };
  }
  return { ok: true, parsed: p };
}

export function parseLine(line: string): ParseResult {
  const s = splitLine(line);
  return s.ok ? parseWords(s.words) : s;
}

/** Completion candidates for the last word of `line` (a trailing blank starts a new word). */
export function complete(line: string): string[] {
  const s = splitLine(line);
  if (!s.ok) return [];
  const words = s.words;
  const current = /\s$/.test(line) || words.length === 0 ? '' : (words.pop() as string);
  const starts = (xs: readonly string[]) => xs.filter((x) => x.startsWith(current));
  if (words.length === 0) return starts(COMMANDS.map((c) => c.name));
  const cmd = findCommand(words[0] as string) ?? null;
  const prev = words[words.length - 1] as string;
  const prevOpt = prev.startsWith('--') ? optionFor(cmd, prev) : undefined;
  if (prevOpt !== undefined && prevOpt.kind !== 'flag') return starts(choicesOf(prevOpt));
  if (current.startsWith('-')) {
    return starts([...(cmd?.options ?? []), ...GLOBALS].map((o) => o.name));
  }
  if (cmd?.name === 'help' && words.length === 1) return starts(COMMANDS.map((c) => c.name));
  return [];
}

/** The longest common prefix of the candidates (what tab inserts). */
export function commonPrefix(xs: string[]): string {
  if (xs.length === 0) return '';
  let p = xs[0] as string;
  for (const x of xs) while (!x.startsWith(p)) p = p.slice(0, -1);
  return p;
}

function optionUsage(o: OptionSpec): string {
  const left = o.metavar === null ? o.name : `${o.name} ${o.metavar}`;
  return `  ${left.padEnd(24)} ${o.help}${o.required ? ' (required)' : ''}`;
}

/** The command list, as `arcnet --help` prints it. */
export function usage(): string {
  const lines = ['Commands:'];
  for (const c of COMMANDS) lines.push(`  ${c.name.padEnd(10)} ${c.summary}`);
  lines.push('', 'Type "help COMMAND" or "COMMAND --help" for its options.');
  return lines.join('\n');
}

/** One command's synopsis, summary and options. */
export function commandUsage(c: CommandSpec): string {
  const synopsis = [`arcnet ${c.name}`];
  for (const o of c.options) {
    const one = o.metavar === null ? o.name : `${o.name} ${o.metavar}`;
    synopsis.push(o.required ? one : `[${one}]`);
  }
  if (c.args !== null) synopsis.push(c.args);
  const lines = [synopsis.join(' '), c.summary];
  if (c.options.length > 0) lines.push('Options:', ...c.options.map(optionUsage));
  return lines.join('\n');
}
