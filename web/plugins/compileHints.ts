// V8's explicit compile hint (Chromium 136+): a script whose first line is this comment has all its
// functions compiled on a background thread while it streams in. Without it V8 compiles a function
// the first time it is called, on the main thread: the customer list's first render spent ~200 ms
// there (trace, `V8.CompileCode`) on a 2-core machine. Other browsers read it as a comment.
export const EAGER_COMPILE_HINT = '//# allFunctionsCalledOnLoad';

// The chunks nearly all of whose code runs during the first load. Precise coverage of a cold load
// of /customers (CDP `Profiler.takePreciseCoverage`): the chunk with react-dom 80 % of its function
// bytes called, the one with Ant Design's CSS-in-JS runtime 71 %, every other initial chunk
// 20-48 %. Hinting those too compiled code that never runs, and the first rows came no sooner.
// A chunk is known by the module at the heart of it: a few of the runtime's modules (Keyframes)
// are bundled with the components that use them.
const EAGER_MODULES =
  /[\\/]node_modules[\\/](react-dom[\\/]cjs[\\/]react-dom\.production|@ant-design[\\/]cssinjs[\\/]es[\\/]hooks[\\/]useStyleRegister)/;

/** The banner of a built chunk: the hint for a chunk holding one of EAGER_MODULES, else nothing. */
export function compileHintBanner(chunk: { moduleIds: readonly string[] }): string {
  return chunk.moduleIds.some((id) => EAGER_MODULES.test(id)) ? `${EAGER_COMPILE_HINT}\n` : '';
}
