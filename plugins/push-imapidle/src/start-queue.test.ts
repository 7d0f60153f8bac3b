import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QueueClosedError, createStartQueue } from './start-queue.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('never runs more than maxConcurrent tasks at once and runs them all in order', async () => {
  const queue = createStartQueue({ maxConcurrent: 3, perSecond: 0 });
  let running = 0;
  let peak = 0;
  const order: number[] = [];
  const gates = Array.from({ length: 10 }, deferred);
  const results = gates.map((gate, i) =>
    queue.run(async () => {
      running++;
      peak = Math.max(peak, running);
      order.push(i);
      await gate.promise;
      running--;
      return i;
    }),
  );
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(queue.active, 3);
  assert.equal(queue.pending, 7);
  for (const gate of gates) {
    gate.resolve();
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.deepEqual(await Promise.all(results), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(peak, 3);
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('a rate limit holds later starts back instead of dropping them', async () => {
  const queue = createStartQueue({ maxConcurrent: 100, perSecond: 200 });
  const started: number[] = [];
  const all = Array.from({ length: 5 }, (_, i) => queue.run(async () => void started.push(i)));
  // Checked synchronously: the first start runs at once, the others wait for the spacing timer.
  assert.equal(started.length, 1, 'only the first start goes at once');
  await Promise.all(all);
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
});

test('cancelled entries are skipped and close rejects what still waits', async () => {
  const queue = createStartQueue({ maxConcurrent: 1, perSecond: 0 });
  const gate = deferred();
  const first = queue.run(() => gate.promise);
  let cancelled = false;
  const second = queue.run(async () => 'ran', { cancelled: () => cancelled });
  const third = queue.run(async () => 'ran');
  cancelled = true;
  gate.resolve();
  await first;
  await assert.rejects(second, QueueClosedError);
  assert.equal(await third, 'ran');
  const blocker = deferred();
  const running = queue.run(() => blocker.promise);
  const waiting = queue.run(async () => 'never');
  queue.close();
  await assert.rejects(waiting, QueueClosedError);
  await assert.rejects(queue.run(async () => 'late'), QueueClosedError);
  blocker.resolve();
  await running;
});

test('a failing task frees its slot', async () => {
  const queue = createStartQueue({ maxConcurrent: 1, perSecond: 0 });
  await assert.rejects(queue.run(async () => {
    throw new Error('refused');
  }), /refused/);
  assert.equal(await queue.run(async () => 42), 42);
});
