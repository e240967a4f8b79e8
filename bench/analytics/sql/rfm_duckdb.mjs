// The RFM aggregation of rfm_sql_compare.cc in DuckDB (in memory), on the same orders (the CSV
// that rfm_sql_compare caches), and the ratios to kehu's C++ and to SQLite.
//   node rfm_duckdb.mjs DATA_DIR      (after rfm_sql_compare DATA_DIR)
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node rfm_duckdb.mjs DATA_DIR');
  process.exit(2);
}
const prior = Object.fromEntries(
  readFileSync(`${dir}/rfm_times`, 'utf8').trim().split('\n').map((l) => l.split('=')),
);
const cutoff = Number(prior.cutoff_day);
const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await db.connect();
let t = performance.now();
await con.run(`CREATE TABLE orders AS SELECT * FROM read_csv('${prior.csv}', header = true,
  columns = {'customer_id': 'BIGINT', 'day': 'INTEGER', 'amount': 'BIGINT'})`);
const loadMs = performance.now() - t;
const sql = `WITH agg AS (SELECT customer_id, ${cutoff} - max(day) AS recency, count(*) AS frequency,
  sum(amount) AS monetary FROM orders WHERE day <= ${cutoff} GROUP BY customer_id),
  scored AS (SELECT recency, frequency, monetary, ntile(5) OVER (ORDER BY recency DESC) AS r,
  ntile(5) OVER (ORDER BY frequency) AS f, ntile(5) OVER (ORDER BY monetary) AS m FROM agg)
  SELECT count(*), sum(recency), sum(frequency), sum(monetary), sum(r), sum(f), sum(m) FROM scored`;
let best = Infinity;
let row;
for (let k = 0; k < 3; k++) {
  t = performance.now();
  const reader = await con.runAndReadAll(sql);
  best = Math.min(best, performance.now() - t);
  row = reader.getRows()[0].map((v) => BigInt(v));
}
const same = row[0] === BigInt(prior.customers) && row[1] === BigInt(prior.recency_sum) &&
  row[2] === BigInt(prior.frequency_sum) && row[3] === BigInt(prior.monetary_sum);
const cpp = Number(prior.cpp_ms);
const sqlite = Number(prior.sqlite_ms);
console.log(`  DuckDB SQL (GROUP BY + NTILE, 2 threads) ${best.toFixed(1).padStart(9)} ms   ${(best / cpp).toFixed(1)}x the C++ time (CSV load ${loadMs.toFixed(0)} ms, not counted)`);
console.log(`  aggregates agree: ${same ? 'yes' : 'NO'}`);
console.log(`  ratios: SQLite/C++ ${(sqlite / cpp).toFixed(1)}, DuckDB/C++ ${(best / cpp).toFixed(1)}, SQLite/DuckDB ${(sqlite / best).toFixed(1)}`);
const target = cpp < 1000;
console.log(`  C++ RFM ${cpp.toFixed(0)} ms: ${target ? 'PASS' : 'MISS'} (target < 1 s)`);
process.exit(same ? 0 : 1);
