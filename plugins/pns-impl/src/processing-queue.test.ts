import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProcessingQueue } from './processing-queue.js';

function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

describe('processing queue', () => {
  it('runs up to `concurrency` tasks, queues up to `capacity`, then the caller runs the task', async () => {
    const queue = createProcessingQueue({ concurrency: 2, capacity: 1, onError: assert.fail });
    const hold = gate();
    const done: number[] = [];
    const task = (id: number) => async () => {
      await hold.wait;
      done.push(id);
    };
    await queue.submit(task(1));
    await queue.submit(task(2));
    await queue.submit(task(3));
    assert.equal(queue.inFlight, 2);
    assert.equal(queue.queued, 1);
    assert.equal(queue.full, true);
    let callerDone = false;
    const caller = queue.submit(task(4)).then(() => (callerDone = true));
    await Promise.resolve();
    assert.equal(callerDone, false, 'the caller waits for its own task');
    assert.equal(queue.inFlight, 3);
    hold.open();
    await caller;
    await queue.idle();
    assert.deepEqual([...done].sort(), [1, 2, 3, 4]);
    assert.equal(queue.inFlight + queue.queued, 0);
  });

  it('assist runs a queued task in the caller; failures go to onError and do not stop the queue', async () => {
    const errors: unknown[] = [];
    const queue = createProcessingQueue({ concurrency: 1, capacity: 10, onError: (e) => errors.push(e) });
    const hold = gate();
    const done: string[] = [];
    await queue.submit(async () => {
      await hold.wait;
      done.push('first');
    });
    await queue.submit(async () => {
      throw new Error('boom');
    });
    await queue.submit(async () => void done.push('third'));
    assert.equal(await queue.assist(), true);
    assert.equal(errors.length, 1);
    assert.equal(await queue.assist(), true);
    assert.deepEqual(done, ['third']);
    assert.equal(await queue.assist(), false);
    hold.open();
    await queue.idle();
    assert.deepEqual(done, ['third', 'first']);
  });
});
