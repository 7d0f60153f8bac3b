#!/usr/bin/env node
// Runs every compiled test file (dist/**/*.test.js) of every workspace with node's test runner.
// Node 20's `node --test` takes no globs, so the files are collected here.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const roots = ['plugin-sdk', 'core', 'test', 'bench', ...listDirs(join(root, 'plugins')).map((d) => join('plugins', d)), ...listDirs(join(root, 'examples')).map((d) => join('examples', d))];
const filter = process.argv.slice(2);

function listDirs(dir) {
  try { return readdirSync(dir).filter((name) => statSync(join(dir, name)).isDirectory()); } catch { return []; }
}

function collect(dir, out) {
  let entries;
  try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return out; }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) { if (entry.name !== 'node_modules') collect(path, out); }
    else if (entry.name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const files = roots
  .flatMap((dir) => collect(join(root, dir, 'dist'), []))
  .map((path) => relative(root, path))
  .filter((path) => filter.length === 0 || filter.some((f) => path.includes(f)))
  .sort();

if (files.length === 0) {
  console.error('No compiled test files found: run `npm run build` first.');
  process.exit(1);
}

const args = ['--test', '--test-reporter=spec', `--test-concurrency=${process.env.KEEL_TEST_CONCURRENCY ?? 2}`, ...files];
const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : code ?? 1));
