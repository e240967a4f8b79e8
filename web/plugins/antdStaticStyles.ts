/// <reference types="node" />
// Ant Design's styles for the first page, rendered at build time into one CSS file instead of in
// the browser.
//
// Ant Design 5 writes its CSS at run time (CSS-in-JS): the first render of each component builds
// its style objects, serialises and hashes them and inserts a <style>. On the customer list that
// was ~45 <style> elements and about a fifth of the first load's main-thread time on a 2-core
// machine. @ant-design/cssinjs has the way out built in (its "whole export" for server rendering):
// a stylesheet made by extractStyle() ends with a rule that lists every style path it holds, and
// in the browser useStyleRegister takes a path found there as already present, so it neither
// builds nor inserts it. This plugin renders the given components with react-dom/server under the
// workspace's own theme (src/theme.ts) and links the CSS first in index.html's head.
//
// Only what the first page renders belongs in the file: every component's CSS carries rules such
// as [class^="ant-table"] that the browser checks against every element with a class, so styles
// for components the page does not show made its style recalculation twice as long (the whole
// workspace's 45 components: 104-119 ms; the first page's 22: 37-55 ms).
//
// A path not in the file (a component of a page loaded later, another theme as with "reduce
// motion") is built in the browser as before: the file makes loads faster, never different.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ThemeConfig } from 'antd';
import type { Plugin } from 'vite';

// What a component needs in order to render its parts (and so register their styles). A
// component not listed is rendered with no props. `C` is the component, `h` React.createElement.
type H = (type: unknown, props?: Record<string, unknown> | null, ...children: unknown[]) => unknown;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Antd = Record<string, any>;
const samples: Record<string, (C: Antd[string], h: H, antd: Antd) => unknown> = {
  Dropdown: (C, h) => h(C, { menu: { items: [{ key: 'a', label: 'a' }] } }, h('span', null, 'x')),
  Menu: (C, h) =>
    h(C, { mode: 'inline', items: [{ key: 'a', label: 'a' }, { key: 'b', label: 'b', children: [{ key: 'c', label: 'c' }] }] }),
  Popover: (C, h) => h(C, { content: 'x' }, h('span', null, 'x')),
  Tooltip: (C, h) => h(C, { title: 'x' }, h('span', null, 'x')),
  Table: (C, h) =>
    h(C, {
      rowSelection: {},
      columns: [{ title: 'a', dataIndex: 'a', key: 'a', sorter: true }],
      dataSource: [{ key: 1, a: 1 }],
      pagination: false,
    }),
  Form: (C, h) => h(C, null, h(C.Item, { label: 'x', name: 'x' }, h('input'))),
  Layout: (C, h) => h(C, null, h(C.Sider), h(C.Header), h(C.Content), h(C.Footer)),
  Input: (C, h) => [h(C, { key: 1 }), h(C.Search, { key: 2 }), h(C.Password, { key: 3 })],
  Segmented: (C, h) => h(C, { options: ['a', 'b'] }),
  Badge: (C, h) => h(C, { count: 1 }, h('span', null, 'x')),
  Checkbox: (C, h) => h(C.Group, { options: ['a'] }),
};

/**
 * The CSS of the given Ant Design components under theme, with @ant-design/cssinjs's record of
 * the style paths it holds. `require` resolves react, react-dom, antd and @ant-design/cssinjs
 * (the web app's own packages, so the same versions and one cssinjs instance). Components that
 * cannot be rendered on their own (ConfigProvider, or a name antd does not export) are skipped.
 */
export function extractAntdCss(components: string[], theme: ThemeConfig, require: NodeJS.Require): string {
  const React = require('react');
  const { renderToString } = require('react-dom/server');
  const { createCache, extractStyle, StyleProvider } = require('@ant-design/cssinjs');
  const antd: Antd = require('antd');
  const h: H = React.createElement;
  const cache = createCache();
  for (const name of components) {
    const C = antd[name];
    if (!C || name === 'ConfigProvider') continue;
    const node = samples[name] ? samples[name](C, h, antd) : h(C);
    renderToString(h(StyleProvider, { cache }, h(antd.ConfigProvider, { theme }, node)));
  }
  return extractStyle(cache, true);
}

/** The Vite plugin: emits assets/antd-HASH.css and links it first in index.html's head. */
export function antdStaticStyles(options: { components: string[]; theme: ThemeConfig }): Plugin {
  let root = process.cwd();
  let fileName = '';
  return {
    name: 'kehu-antd-static-styles',
    apply: 'build',
    configResolved(config) {
      root = config.root;
    },
    buildStart() {
      const require = createRequire(join(root, 'package.json'));
      const css = extractAntdCss(options.components, options.theme, require);
      const hash = createHash('sha256').update(css).digest('base64url').slice(0, 8);
      fileName = `assets/antd-${hash}.css`;
      this.emitFile({ type: 'asset', fileName, source: css });
    },
    transformIndexHtml: {
      order: 'post',
      handler() {
        if (!fileName) return [];
        return [{ tag: 'link', attrs: { rel: 'stylesheet', href: '/' + fileName }, injectTo: 'head-prepend' }];
      },
    },
  };
}
