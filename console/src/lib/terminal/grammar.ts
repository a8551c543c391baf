// The `arcnet` command grammar as data, mirroring src/cli/grammar_table.c entry for entry (a
// unit test parses the C file and checks that the two agree), so the console's terminal speaks
// exactly the language of the command-line tool. Pure data.

import { ENERGY_SOURCES, EVENT_TYPES, NODE_STATUSES, SEVERITIES, ZONES } from '../types';

export type OptionKind = 'flag' | 'text' | 'choice' | 'number' | 'count';

/** Named choice lists; the C table draws the same lists from the enums' name functions. */
export const CHOICE_SETS = {
  zone: ZONES,
  status: NODE_STATUSES,
  source: ENERGY_SOURCES,
  priority: ['critical', 'normal', 'background'],
  policy: ['arcnet', 'nearest', 'least-loaded', 'greenest', 'round-robin'],
  model: [
    'llama-3.1-8b',
    'mistral-7b',
    'mixtral-8x7b',
    'llama-3.1-70b',
    'llama-3.1-405b',
    'whisper-large-v3',
  ],
  event_type: EVENT_TYPES,
  severity: SEVERITIES,
} as const satisfies Record<string, readonly string[]>;

export type ChoiceSet = keyof typeof CHOICE_SETS;

export interface OptionSpec {
  name: string;
  metavar: string | null;
  help: string;
  kind: OptionKind;
  required: boolean;
  /** choice: the allowed values; text: suggestions for completion only. */
  choices: ChoiceSet | null;
  min?: number;
  max?: number;
}

export interface CommandSpec {
  name: string;
  summary: string;
  args: string | null;
  minArgs: number;
  maxArgs: number;
  changesState: boolean;
  passthrough: boolean;
  options: OptionSpec[];
}

const choice = (name: string, metavar: string, help: string, set: ChoiceSet): OptionSpec => ({
  name,
  metavar,
  help,
  kind: 'choice',
  required: false,
  choices: set,
});

const text = (
  name: string,
  metavar: string,
  help: string,
  required: boolean,
  set: ChoiceSet | null,
): OptionSpec => ({ name, metavar, help, kind: 'text', required, choices: set });

const num = (name: string, metavar: string, help: string, min: number, max: number) =>
  ({ name, metavar, help, kind: 'number', required: true, choices: null, min, max }) as OptionSpec;

const count = (name: string, metavar: string, help: string, min: number, max: number) =>
  ({ name, metavar, help, kind: 'count', required: false, choices: null, min, max }) as OptionSpec;

const flag = (name: string, help: string): OptionSpec => ({
  name,
  metavar: null,
  help,
  kind: 'flag',
  required: false,
  choices: null,
});

const REQUEST_OPTIONS: OptionSpec[] = [
  text('--model', 'MODEL', 'the model to run', true, 'model'),
  choice('--priority', 'PRIORITY', 'critical, normal (default) or background', 'priority'),
  num('--lat', 'DEG', 'latitude the request comes from', -90, 90),
  num('--lon', 'DEG', 'longitude the request comes from', -180, 180),
  choice('--policy', 'POLICY', 'routing policy (default arcnet)', 'policy'),
];

/** Largest integer a JSON number carries exactly. */
const EXACT_MAX = 9007199254740991;

const cmd = (c: Partial<CommandSpec> & Pick<CommandSpec, 'name' | 'summary'>): CommandSpec => ({
  args: null,
  minArgs: 0,
  maxArgs: 0,
  changesState: false,
  passthrough: false,
  options: [],
  ...c,
});

export const COMMANDS: CommandSpec[] = [
  cmd({
    name: 'nodes',
    summary: 'List nodes, filtered by zone, status, model or energy',
    options: [
      choice('--zone', 'ZONE', 'only nodes of this zone', 'zone'),
      choice('--status', 'STATUS', 'only nodes in this status', 'status'),
      text('--model', 'MODEL', 'only nodes that load this model', false, 'model'),
      choice('--energy-source', 'SOURCE', 'only nodes running on this source', 'source'),
      text('--as-of', 'TIME', 'the nodes as they were then (no filters)', false, null),
      text('--known-at', 'TIME', 'as the history knew them then', false, null),
    ],
  }),
  cmd({ name: 'node', summary: 'Show one node in full', args: 'ID', minArgs: 1, maxArgs: 1 }),
  cmd({ name: 'zones', summary: "Show each zone's totals" }),
  cmd({
    name: 'route',
    summary: 'Ask where a request would run, and why',
    options: REQUEST_OPTIONS,
  }),
  cmd({
    name: 'infer',
    summary: 'Run an inference request and show its receipt',
    options: [...REQUEST_OPTIONS, text('--input', 'TEXT', 'the prompt', true, null)],
  }),
  cmd({
    name: 'events',
    summary: 'List events, or follow them as they happen',
    options: [
      choice('--type', 'TYPE', 'only events of this type', 'event_type'),
      choice('--zone', 'ZONE', 'only events of this zone', 'zone'),
      choice('--severity', 'SEVERITY', 'only events this severe or worse', 'severity'),
      text('--q', 'TEXT', 'only events whose text contains this', false, null),
      count('--since', 'SEQ', 'only events after this sequence number', 0, EXACT_MAX),
      count('--limit', 'N', 'at most this many (the newest)', 1, 100000),
      flag('--follow', 'keep printing new events until interrupted'),
    ],
  }),
  cmd({
    name: 'history',
    summary: "Show a node's history, bucketed",
    args: 'ID',
    minArgs: 1,
    maxArgs: 1,
    options: [
      text('--from', 'TIME', 'start (RFC 3339 or microseconds; an hour before --to)', false, null),
      text('--to', 'TIME', 'end (now)', false, null),
      text('--step', 'STEP', 'bucket width: 60s, 5m, 1h (1m)', false, null),
    ],
  }),
  cmd({
    name: 'drain',
    summary: 'Stop sending new requests to a node (operator)',
    args: 'ID',
    minArgs: 1,
    maxArgs: 1,
    changesState: true,
  }),
  cmd({
    name: 'undrain',
    summary: 'Send requests to a drained node again (operator)',
    args: 'ID',
    minArgs: 1,
    maxArgs: 1,
    changesState: true,
  }),
  cmd({ name: 'top', summary: 'Live view of the zones and the latest events (q quits)' }),
  cmd({
    name: 'sim',
    summary: 'Simulate the mesh offline and compare policies',
    args: '[sim options]',
    passthrough: true,
  }),
  cmd({
    name: 'help',
    summary: "Show the commands, or one command's options",
    args: '[COMMAND]',
    maxArgs: 1,
  }),
];

export const GLOBALS: OptionSpec[] = [
  text('--server', 'URL', 'daemon URL (else $ARCNET_SERVER or http://127.0.0.1:8080)', false, null),
  text('--token', 'TOKEN', 'API token (else $ARCNET_TOKEN or ./arcnet-data/token)', false, null),
  flag('--json', "print the server's JSON instead of a table"),
  flag('--help', 'show this help'),
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

export function choicesOf(o: OptionSpec): readonly string[] {
  return o.choices === null ? [] : CHOICE_SETS[o.choices];
}
