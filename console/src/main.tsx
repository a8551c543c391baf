// Entry point: mounts the console.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { App } from './components/App';
import './styles/theme.css';

const root = document.getElementById('root');
if (root !== null) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
