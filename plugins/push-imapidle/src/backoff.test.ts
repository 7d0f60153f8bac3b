import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay } from './backoff.js';

test('delays double per failure and stop at the maximum', () => {
  const top = () => 1; // the largest jitter
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, 100, 1000, top)), [100, 200, 400, 800, 1000, 1000]);
});

test('jitter keeps at least half of the step and never exceeds it', () => {
  for (let n = 1; n <= 40; n++) {
    const step = Math.min(60_000, 250 * 2 ** Math.min(n - 1, 30));
    for (const r of [0, 0.3, 0.999]) {
      const delay = backoffDelay(n, 250, 60_000, () => r);
      assert.ok(delay >= step / 2 && delay <= step, `failure ${n}, random ${r}: ${delay} outside [${step / 2}, ${step}]`);
    }
  }
});

test('zero or negative failure counts behave like the first retry', () => {
  assert.equal(backoffDelay(0, 100, 1000, () => 1), 100);
  assert.equal(backoffDelay(-3, 100, 1000, () => 0), 50);
});
