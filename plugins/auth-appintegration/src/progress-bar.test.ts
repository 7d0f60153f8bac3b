import assert from 'node:assert/strict';
import { it } from 'node:test';
import { renderProgress } from './progress-bar.js';

it('renders each phase, with a bar where the total is known', () => {
  assert.equal(renderProgress({ phase: 'fetching', done: 120, bytes: 2048 }, 10), 'fetching the list: 120 users, 2 KiB');
  assert.equal(renderProgress({ phase: 'fetching', done: 120, bytes: 2048, totalBytes: 8192 }, 10), '[###.......]  25% fetching the list: 120 users, 2 KiB of 8 KiB');
  assert.equal(renderProgress({ phase: 'reading', done: 3000 }, 10), 'reading local users: 3000');
  assert.equal(renderProgress({ phase: 'applying', done: 50, total: 200 }, 10), '[###.......]  25% applying changes: 50/200');
  assert.equal(renderProgress({ phase: 'applying', done: 0, total: 0 }, 10), '[##########] 100% applying changes: 0/0');
  assert.equal(renderProgress({ phase: 'done', done: 5, total: 5 }, 10), '[##########] 100% done');
});
