import { fileURLToPath } from 'node:url';
import type { BenchResult } from './measure.js';
import { printTable, writeResults } from './report.js';
import { suites } from './suites/index.js';

/**
 * `npm run bench [suite …]`: runs every benchmark suite (or the named ones), prints one table with
 * each figure next to its same-run baseline, and writes bench/results/latest.json.
 */
const wanted = process.argv.slice(2);
const selected = suites.filter((suite) => wanted.length === 0 || wanted.includes(suite.name));
if (selected.length === 0) {
  console.error(`No suite named ${wanted.join(', ')}; available: ${suites.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const results: BenchResult[] = [];
for (const suite of selected) {
  process.stderr.write(`running ${suite.name} …\n`);
  try {
    results.push(...(await suite.run()));
  } catch (error) {
    process.stderr.write(`suite ${suite.name} failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}
console.log(printTable(results));
const out = fileURLToPath(new URL('../../results/latest.json', import.meta.url));
await writeResults(out, results);
console.log(`\nwritten to ${out}`);
