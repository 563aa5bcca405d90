/**
 * The web bundle: two pages (the self-service page and the review console) sharing one set of
 * chunks, built into dist/web where the service serves them (src/adapters/web/plugin.ts).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [react()],
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    // Served under a strict CSP (script-src 'self'): no inline scripts, no eval.
    modulePreload: { polyfill: false },
    rollupOptions: { input: { index: here('index.html'), admin: here('admin.html') } },
  },
});
