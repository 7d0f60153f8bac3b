import assert from 'node:assert/strict';
import { it } from 'node:test';
import { redactUrl } from './redact-url.js';

it('redacts secret query values and leaves the rest of the URL alone', () => {
  assert.equal(redactUrl('/appsuite/api/login?action=login&name=anton&password=hunter2'), '/appsuite/api/login?action=login&name=anton&password=[redacted]');
  assert.equal(redactUrl('/x?PASS=a&secret=b&token=c&session=d'), '/x?PASS=[redacted]&secret=[redacted]&token=[redacted]&session=d');
  assert.equal(redactUrl('/x?pass%77ord=a&flag'), '/x?pass%77ord=[redacted]&flag');
  assert.equal(redactUrl('/plain/path'), '/plain/path');
  assert.equal(redactUrl('/x?%E0%A4%A=1'), '/x?%E0%A4%A=1');
});
