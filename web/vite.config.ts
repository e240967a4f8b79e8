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
    rolldownOptions: {
      output: {
        // Stable, readable vendor chunks: React + router + query, and Ant Design. ECharts stays
        // in its own lazily loaded chunk (imported only by components/StageChart.tsx).
        codeSplitting: {
          groups: [
            // boot.ts and what it needs, in a chunk of its own that imports no vendor code: the
            // entry imports it first, so it runs (and starts the first API calls) before the
            // React and Ant Design chunks are evaluated.
            { name: 'boot', test: /src[\\/](boot|api[\\/]early|api[\\/]client|lib[\\/]listQuery)\.ts$/, priority: 30 },
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router|react-router-dom|@remix-run|@tanstack|i18next|react-i18next)[\\/]/, priority: 20 },
            { name: 'antd', test: /node_modules[\\/](antd|@ant-design|rc-[a-z-]+|@rc-component|dayjs|@emotion|stylis|classnames)[\\/]/, priority: 10 },
          ],
        },
      },
    },
  },
  server: {
    proxy: { '/api': api, '/healthz': api, '/readyz': api },
  },
});
