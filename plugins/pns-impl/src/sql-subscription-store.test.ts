import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coveringPatterns, tokenHash } from './sql-subscription-store.js';
import { topicMatches } from '@keel/plugin-sdk';

describe('topic patterns', () => {
  it('lists every stored pattern that covers a topic, agreeing with topicMatches', () => {
    assert.deepEqual(coveringPatterns('ox:mail:new'), ['ox:mail:new', '*', 'ox:*', 'ox:mail:*']);
    assert.deepEqual(coveringPatterns('single'), ['single', '*']);
    const candidates = ['*', 'ox:*', 'ox:mail:*', 'ox:mail:new', 'ox:mail:new:*', 'ox:calendar:*', 'o:*', 'ox:mail'];
    for (const topic of ['ox:mail:new', 'ox:calendar:updates', 'ox:mail']) {
      const covering = new Set(coveringPatterns(topic));
      for (const pattern of candidates) assert.equal(covering.has(pattern), topicMatches(pattern, topic), `${pattern} vs ${topic}`);
    }
  });

  it('hashes tokens to 64 hex characters', () => {
    assert.match(tokenHash('https://hooks.example.com/x'), /^[0-9a-f]{64}$/);
  });
});
