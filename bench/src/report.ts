import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BenchResult } from './measure.js';

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(3);
}

/** One table: figure, baseline, ratio (figure / baseline; the `better` column says which way is good). */
export function printTable(results: readonly BenchResult[]): string {
  const rows = results.map((r) => [
    r.suite,
    r.name,
    `${format(r.value)} ${r.unit}`,
    r.baseline ? `${r.baseline.name}: ${format(r.baseline.value)} ${r.unit}` : '-',
    r.ratio !== undefined ? `${r.ratio.toFixed(2)}x` : '-',
    r.better,
    r.note ?? '',
  ]);
  const headers = ['suite', 'benchmark', 'figure', 'baseline (same run)', 'ratio', 'better', 'note'];
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

export async function writeResults(path: string, results: readonly BenchResult[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const machine = { node: process.version, platform: process.platform, arch: process.arch };
  await writeFile(path, `${JSON.stringify({ date: new Date().toISOString(), machine, results }, null, 2)}\n`);
}
