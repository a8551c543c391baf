// Vite build of the console: one page, assets under /assets, served by arcnetd from console/dist.
/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev` proxies the API to a running arcnetd (ARCNET_SERVER, else 127.0.0.1:8080).
const target = process.env.ARCNET_SERVER ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', chunkSizeWarningLimit: 4000, sourcemap: false },
  server: {
    proxy: {
      '/v1': { target, ws: true },
      '/healthz': target,
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    css: { modules: { classNameStrategy: 'non-scoped' } },
  },
});
