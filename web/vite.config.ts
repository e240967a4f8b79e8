import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { antdStaticStyles } from './plugins/antdStaticStyles.ts';
import { compileHintBanner } from './plugins/compileHints.ts';
import { appTheme } from './src/theme.ts';

// boot.ts is an entry of its own, with its own <script> placed before the app's. Vite joins every
// module script of index.html into one entry, and a module runs only once every module it
// imports statically has been fetched and parsed: as a part of the app's entry, boot.ts started
// the first API calls only after the browser had parsed React and Ant Design (~400 ms after
// navigation on a 2-core machine). Its own small graph runs as soon as it has arrived. The
// module it shares with the app (api/early.ts, in the 'early' chunk) is one instance in the page,
// so the app takes the answers boot.ts asked for.
function bootScript(): Plugin {
  return {
    name: 'kehu-boot-script',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        let src = '/src/boot.ts';
        if (ctx.bundle) {
          const chunk = Object.values(ctx.bundle).find((c) => c.type === 'chunk' && c.isEntry && c.name === 'boot');
          if (!chunk) throw new Error('kehu-boot-script: the build has no boot entry');
          src = '/' + chunk.fileName;
        }
        return [{ tag: 'script', attrs: { type: 'module', crossorigin: true, src }, injectTo: 'head-prepend' }];
      },
    },
  };
}

// The API runs on the kehu server; `npm run dev` proxies to it (KEHU_API, default :8080).
const api = process.env.KEHU_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [
    react(),
    bootScript(),
    // Ant Design's CSS for what the sign-in page, the layout and the customer list (the first
    // pages) render before the user does anything, in the theme of users who have not asked for
    // reduced motion (most). The browser test "the list builds no Ant Design style in the
    // browser" fails when the list renders a component missing here.
    antdStaticStyles({
      components: [
        'Alert', 'App', 'Badge', 'Button', 'Card', 'Checkbox', 'Dropdown', 'Empty', 'Form', 'Input', 'Layout',
        'Menu', 'Modal', 'Popover', 'Segmented', 'Select', 'Space', 'Spin', 'Table', 'Tag', 'Tooltip', 'Typography',
      ],
      theme: appTheme(true),
    }),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No inline scripts or module-preload polyfill: the server's CSP is script-src 'self'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
    sourcemap: false,
    rolldownOptions: {
      input: { index: 'index.html', boot: 'src/boot.ts' },
      output: {
        // After minification, which would drop a comment (plugins/compileHints.ts).
        postBanner: compileHintBanner,
        // React, the router and the query library are one stable vendor chunk. Ant Design is not
        // grouped: as one chunk it carried every component any page uses (date pickers, uploads,
        // tabs...) into the first load, where the browser compiled it before any script could run
        // (~160 ms on a 2-core machine). Left to the bundler, its code goes with the pages that
        // use it. ECharts stays in its own lazily loaded chunk (components/StageChart.tsx).
        codeSplitting: {
          groups: [
            // What boot.ts shares with the app, in a chunk that imports no vendor code (see
            // bootScript above).
            { name: 'early', test: /src[\\/](api[\\/]early|api[\\/]client|lib[\\/]listQuery)\.ts$/, priority: 30 },
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router|react-router-dom|@remix-run|@tanstack|i18next|react-i18next)[\\/]/, priority: 20 },
          ],
        },
      },
    },
  },
  server: {
    proxy: { '/api': api, '/healthz': api, '/readyz': api },
  },
});
