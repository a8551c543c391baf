// The sign-in form: one token field. The token stays in this tab's sessionStorage only.
import { useState } from 'react';

import styles from './SignIn.module.css';

export function SignIn(props: {
  onSubmit(token: string): void;
  error: string | null;
  busy: boolean;
}) {
  const [token, setToken] = useState('');
  return (
    <form
      className={styles.form}
      onSubmit={(e) => {
        e.preventDefault();
        if (token.trim() !== '') props.onSubmit(token.trim());
      }}
    >
      <h1>ArcNet Console</h1>
      <label>
        API token
        <input
          type="password"
          autoFocus
          value={token}
          data-testid="token-input"
          onChange={(e) => setToken(e.target.value)}
        />
      </label>
      <button type="submit" disabled={props.busy}>
        Sign in
      </button>
      {props.error !== null && <p className={styles.error}>{props.error}</p>}
      <p className={styles.hint}>
        An operator token may drain nodes; a viewer token sees everything but changes nothing.
      </p>
    </form>
  );
}
