// Writes file.gz and file.br beside every compressible file of the production build, so that
// `kehu serve` can send precompressed bytes (src/http/static_files.cc) without compressing per
// request. Usage: node scripts/compress.mjs dist
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = process.argv[2] ?? 'dist';
const compressible = /\.(html|js|mjs|css|json|svg|txt|map|webmanifest|xml)$/i;
const minBytes = 512;

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}

let count = 0;
for (const file of walk(root)) {
  if (!compressible.test(file)) continue;
  const data = readFileSync(file);
  if (data.length < minBytes) continue;
  const gz = gzipSync(data, { level: 9 });
  const br = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
  // A compressed copy that is not smaller would only cost the client CPU.
  if (gz.length < data.length) writeFileSync(`${file}.gz`, gz);
  if (br.length < data.length) writeFileSync(`${file}.br`, br);
  count++;
}
if (process.env.KEHU_VERBOSE) console.log(`compressed ${count} files in ${root}`);
