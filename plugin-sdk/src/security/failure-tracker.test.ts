import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createFailureTracker, type FailurePolicy } from './failure-tracker.js';

const policy: FailurePolicy = { maxFailures: 5, windowMs: 1000, lockoutMs: 10_000, delayAfter: 2, baseDelayMs: 100, maxDelayMs: 300 };

it('delays growing answers, then locks out, then forgets', () => {
  let clock = 0;
  const tracker = createFailureTracker(() => policy, { now: () => clock });
  assert.deepEqual(tracker.recordFailure('k'), { delayMs: 0, lockedMs: 0 });
  assert.deepEqual(tracker.recordFailure('k'), { delayMs: 100, lockedMs: 0 });
  assert.deepEqual(tracker.recordFailure('k'), { delayMs: 200, lockedMs: 0 });
  assert.deepEqual(tracker.recordFailure('k'), { delayMs: 300, lockedMs: 0 }, 'capped');
  assert.deepEqual(tracker.recordFailure('k'), { delayMs: 0, lockedMs: 10_000 });
  clock += 4000;
  assert.equal(tracker.lockedFor('k'), 6000);
  assert.equal(tracker.lockedFor('other'), 0);
  clock += 6000;
  assert.equal(tracker.lockedFor('k'), 0);
  tracker.sweep();
  assert.equal(tracker.size, 0);
});

it('counts only failures inside the sliding window', () => {
  let clock = 0;
  const tracker = createFailureTracker(() => policy, { now: () => clock });
  for (let i = 0; i < 4; i++) {
    tracker.recordFailure('k');
    clock += 400;
  }
  // Only the last two failures (at 800 and 1200) are within 1000 ms of 1600.
  assert.equal(tracker.recordFailure('k').lockedMs, 0);
  tracker.reset('k');
  assert.deepEqual(tracker.recordFailure('k'), { delayMs: 0, lockedMs: 0 });
});

it('keeps at most maxEntries keys', () => {
  const tracker = createFailureTracker(() => policy, { maxEntries: 3 });
  for (const key of ['a', 'b', 'c', 'd']) tracker.recordFailure(key);
  assert.equal(tracker.size, 3);
});
