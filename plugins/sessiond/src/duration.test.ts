import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseDuration } from './duration.js';

it('parses milliseconds and the W/D/H/M/S/ms units of the original property files', () => {
  assert.equal(parseDuration('3600000'), 3_600_000);
  assert.equal(parseDuration('1W'), 604_800_000);
  assert.equal(parseDuration('2d'), 172_800_000);
  assert.equal(parseDuration('12H'), 43_200_000);
  assert.equal(parseDuration('30M'), 1_800_000);
  assert.equal(parseDuration('45s'), 45_000);
  assert.equal(parseDuration(' 500ms '), 500);
  assert.equal(parseDuration('1 week'), undefined);
  assert.equal(parseDuration('-5'), undefined);
  assert.equal(parseDuration(''), undefined);
});
