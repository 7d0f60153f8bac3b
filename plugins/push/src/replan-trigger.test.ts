import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReplanTrigger } from './replan-trigger.js';

function clockAndTrigger(delayMs = 5000) {
  let time = 1_000_000;
  let replans = 0;
  let release: () => void = () => undefined;
  let hold = false;
  const trigger = createReplanTrigger({
    delayMs: () => delayMs,
    now: () => time,
    replan: () => {
      replans++;
      return hold ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
    },
  });
  return {
    trigger,
    advance: (ms: number) => void (time += ms),
    replans: () => replans,
    holdNext: () => void (hold = true),
    release: () => {
      hold = false;
      release();
    },
  };
}

test('nothing changed: the periodic check does nothing', () => {
  const { trigger, advance, replans } = clockAndTrigger();
  advance(60_000);
  assert.equal(trigger.tick(), undefined);
  assert.equal(replans(), 0);
});

test('a burst of changes becomes one re-plan once it has been quiet for the delay', async () => {
  const { trigger, advance, replans } = clockAndTrigger(5000);
  for (let i = 0; i < 10; i++) {
    trigger.changed();
    advance(400);
    assert.equal(trigger.tick(), undefined, 'still inside the burst');
  }
  advance(2000);
  assert.equal(trigger.tick(), undefined, '2.4 s of quiet is not enough');
  advance(2000);
  assert.equal(trigger.tick(), undefined, '4.4 s of quiet is not enough');
  advance(2000);
  await trigger.tick();
  assert.equal(replans(), 1);
  assert.equal(trigger.pending, false);
  advance(10_000);
  assert.equal(trigger.tick(), undefined);
  assert.equal(replans(), 1);
});

test('a change during a running re-plan leads to one more re-plan after it', async () => {
  const c = clockAndTrigger(0);
  c.holdNext();
  c.trigger.changed();
  const first = c.trigger.tick();
  assert.ok(first);
  c.trigger.changed();
  assert.equal(c.trigger.tick(), undefined, 'never two at once');
  c.release();
  await first;
  await c.trigger.tick();
  assert.equal(c.replans(), 2);
});
