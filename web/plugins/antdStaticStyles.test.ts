/// <reference types="node" />
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appTheme } from '../src/theme';
import { extractAntdCss } from './antdStaticStyles';

const webRoot = join(__dirname, '..');
const require = createRequire(join(webRoot, 'package.json'));

describe('extractAntdCss', () => {
  it('renders the styles with the record of their paths that the browser reads', () => {
    const css = extractAntdCss(['Button', 'Table'], appTheme(true), require);
    expect(css).toContain('.ant-btn');
    // Table renders its parts too, so their styles come with it.
    expect(css).toContain('.ant-table');
    expect(css).toContain('.ant-checkbox');
    const record = /\.data-ant-cssinjs-cache-path\{content:"([^"]*)";\}/.exec(css);
    expect(record).not.toBeNull();
    const paths = record![1].split(';').map((e) => e.split(':')[0]);
    expect(paths.some((p) => p.includes('Button-Button|ant-btn'))).toBe(true);
    expect(paths.some((p) => p.includes('Checkbox-Checkbox|ant-checkbox'))).toBe(true);
  });

  it('gives another theme other style paths, so they cannot be mistaken for each other', () => {
    // Each entry is TOKEN_KEY|PATH:HASH; the button's token key differs with the theme.
    const buttonEntry = (motion: boolean) =>
      /cache-path\{content:"([^"]*)"/
        .exec(extractAntdCss(['Button'], appTheme(motion), require))![1]
        .split(';')
        .find((e) => e.includes('|Button-Button|'))!;
    const [moving, still] = [buttonEntry(true), buttonEntry(false)];
    expect(moving.split('|')[0]).not.toEqual(still.split('|')[0]);
    expect(moving.split(':')[1]).not.toEqual(still.split(':')[1]);
  });

  it('skips names antd does not export and ConfigProvider', () => {
    const css = extractAntdCss(['NoSuchThing', 'ConfigProvider'], appTheme(true), require);
    expect(css).not.toContain('.ant-btn');
  });
});
