import assert from 'node:assert/strict';
import { test } from 'node:test';
import { abortableDelay, backoffMillis } from './retry-backoff.js';

const policy = { maxRetries: 5, baseMillis: 100, maxMillis: 1000 };

test('backoff doubles per retry with equal jitter and never exceeds the maximum', () => {
  for (let i = 0; i < 200; i++) {
    const first = backoffMillis(policy, 1);
    assert.ok(first >= 50 && first <= 100, `retry 1 waited ${first}`);
    const third = backoffMillis(policy, 3);
    assert.ok(third >= 200 && third <= 400, `retry 3 waited ${third}`);
    assert.ok(backoffMillis(policy, 30) <= 1000);
  }
});

test('a server Retry-After is honoured up to the maximum', () => {
  assert.equal(backoffMillis(policy, 1, 700), 700);
  assert.equal(backoffMillis(policy, 1, 60_000), 1000);
});

test('abortableDelay resolves false when the signal is already aborted or aborts while waiting', async () => {
  const aborted = new AbortController();
  aborted.abort();
  assert.equal(await abortableDelay(60_000, aborted.signal), false);
  const later = new AbortController();
  const waiting = abortableDelay(60_000, later.signal);
  later.abort();
  assert.equal(await waiting, false);
  assert.equal(await abortableDelay(1, new AbortController().signal), true);
});
