import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The API runs on the kehu server; `npm run dev` proxies to it (KEHU_API, default :8080).
const api = process.env.KEHU_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No inline scripts or module-preload polyfill: the server's CSP is script-src 'self'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
    sourcemap: false,
  },
  server: {
    proxy: { '/api': api, '/healthz': api, '/readyz': api },
  },
});
