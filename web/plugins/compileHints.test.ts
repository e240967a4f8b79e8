import { describe, expect, it } from 'vitest';
import { compileHintBanner, EAGER_COMPILE_HINT } from './compileHints';

describe('compileHintBanner', () => {
  it('marks the chunks of react-dom and of the CSS-in-JS runtime, nothing else', () => {
    const nm = '/work/web/node_modules';
    expect(compileHintBanner({ moduleIds: [`${nm}/react/index.js`, `${nm}/react-dom/cjs/react-dom.production.min.js`] }))
      .toBe(`${EAGER_COMPILE_HINT}\n`);
    expect(compileHintBanner({ moduleIds: [`${nm}/@ant-design/cssinjs/es/hooks/useStyleRegister.js`] }))
      .toBe(`${EAGER_COMPILE_HINT}\n`);
    // One runtime module bundled with the components that use it does not make theirs eager.
    expect(compileHintBanner({ moduleIds: [`${nm}/@ant-design/cssinjs/es/Keyframes.js`, `${nm}/antd/es/spin/index.js`] }))
      .toBe('');
    expect(compileHintBanner({ moduleIds: [`${nm}/antd/es/table/Table.js`, `${nm}/@ant-design/cssinjs-utils/es/index.js`] }))
      .toBe('');
    expect(compileHintBanner({ moduleIds: ['/work/web/src/react-dom-helpers.ts'] })).toBe('');
    expect(compileHintBanner({ moduleIds: [] })).toBe('');
  });
  it('is the comment V8 reads, alone on the first line', () => {
    expect(EAGER_COMPILE_HINT).toBe('//# allFunctionsCalledOnLoad');
  });
});
