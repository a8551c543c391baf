// The terminal: type `arcnet` commands (help, nodes, node ID, zones, route, infer, events,
// drain, undrain), with history on up/down and completion on tab. Commands call the same REST
// endpoints as the command-line tool and print text. `travel TIME` and `live` move the console
// in time (lib/timetravel/command.ts).
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';

import { actionContext, focusTargets } from '../hooks/useActionContext';
import { ApiClient } from '../lib/api';
import { down, emptyHistory, remember, up } from '../lib/terminal/history';
import { commonPrefix, complete } from '../lib/terminal/parse';
import { runTravelLine } from '../lib/timetravel/command';
import { runLine } from '../lib/terminal/run';
import { useConsole } from '../store/store';
import styles from './Terminal.module.css';

interface Entry {
  id: number;
  text: string;
  kind: 'input' | 'output' | 'error';
}

const MAX_ENTRIES = 500;

export function Terminal() {
  const token = useConsole((s) => s.token) ?? '';
  const [entries, setEntries] = useState<Entry[]>([
    {
      id: 0,
      text:
        'Type "help" for the commands, "travel TIME" and "live" to move in time. ' +
        'Tab completes.',
      kind: 'output',
    },
  ]);
  const [line, setLine] = useState('');
  const [hist, setHist] = useState(emptyHistory);
  const nextId = useRef(1);
  const out = useRef<HTMLDivElement>(null);

  const add = (text: string, kind: Entry['kind']) =>
    setEntries((es) => [...es, { id: nextId.current++, text, kind }].slice(-MAX_ENTRIES));

  useEffect(() => {
    out.current?.scrollTo(0, out.current.scrollHeight);
  }, [entries]);

  const submit = async () => {
    const l = line;
    setLine('');
    setHist((h) => remember(h, l));
    add(`$ ${l}`, 'input');
    if (l.trim() === '') return;
    if (l.trim() === 'clear') return setEntries([]);
    const travelled = runTravelLine(l, actionContext(), useConsole.getState().mesh.time);
    if (travelled !== null) return add(travelled.text, travelled.error ? 'error' : 'output');
    const r = await runLine(new ApiClient(token), l);
    add(r.text, r.error ? 'error' : 'output');
  };

  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      void submit();
    } else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      e.preventDefault();
      const r = e.key === 'ArrowUp' ? up(hist, line) : down(hist, line);
      setHist(r.h);
      setLine(r.line);
    } else if (e.key === 'Tab') {
      e.preventDefault();
      const cands = complete(line);
      const word = /\s$/.test(line) ? '' : (line.split(/\s+/).pop() ?? '');
      const prefix = commonPrefix(cands);
      if (prefix.length > word.length) {
        const completed = line.slice(0, line.length - word.length) + prefix;
        setLine(cands.length === 1 ? `${completed} ` : completed);
      } else if (cands.length > 1) add(cands.join('  '), 'output');
    }
  };

  return (
    <div className={styles.terminal} onClick={() => focusTargets.terminal?.focus()}>
      <div className={styles.out} ref={out} data-testid="terminal-output">
        {entries.map((e) => (
          <pre key={e.id} className={styles[e.kind]}>
            {e.text}
          </pre>
        ))}
      </div>
      <label className={styles.prompt}>
        <span>arcnet&gt;</span>
        <input
          ref={(el) => {
            focusTargets.terminal = el;
          }}
          data-testid="terminal-input"
          spellCheck={false}
          autoComplete="off"
          value={line}
          onChange={(e) => setLine(e.target.value)}
          onKeyDown={onKey}
        />
      </label>
    </div>
  );
}
