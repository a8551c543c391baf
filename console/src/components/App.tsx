// Top level: the sign-in form until a token is known and accepted, then the console.
import { useEffect, useState } from 'react';

import { ApiClient, ApiError } from '../lib/api';
import { browserAuthEnv, forgetToken, saveToken, takeToken } from '../lib/auth';
import { useConsole } from '../store/store';
import { ConsoleView } from './ConsoleView';
import { SignIn } from './SignIn';

export function App() {
  const token = useConsole((s) => s.token);
  const signIn = useConsole((s) => s.signIn);
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(true);

  const tryToken = async (t: string) => {
    setChecking(true);
    try {
      const role = await new ApiClient(t).role();
      saveToken(browserAuthEnv(), t);
      setError(null);
      signIn(t, role);
    } catch (e) {
      forgetToken(browserAuthEnv());
      setError(e instanceof ApiError && e.status === 401 ? 'That token is not valid.' : String(e));
    } finally {
      setChecking(false);
    }
  };

  useEffect(() => {
    const t = takeToken(browserAuthEnv());
    if (t === null) setChecking(false);
    else void tryToken(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  if (token !== null) return <ConsoleView />;
  return <SignIn onSubmit={(t) => void tryToken(t)} error={error} busy={checking} />;
}
