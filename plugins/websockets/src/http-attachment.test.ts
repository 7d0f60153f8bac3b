import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isEndpoint } from './http-attachment.js';

test('the endpoint is the path with or without a trailing slash, with any query', () => {
  const path = '/socket.io/appsuite';
  for (const url of ['/socket.io/appsuite', '/socket.io/appsuite/', '/socket.io/appsuite/?EIO=3&transport=websocket', '/socket.io/appsuite?session=x']) {
    assert.equal(isEndpoint(url, path), true, url);
  }
  for (const url of [undefined, '/', '/socket.io', '/socket.io/appsuitex', '/socket.io/appsuite/x', '/socket.io/appsuite//', '/x/socket.io/appsuite']) {
    assert.equal(isEndpoint(url, path), false, String(url));
  }
});
