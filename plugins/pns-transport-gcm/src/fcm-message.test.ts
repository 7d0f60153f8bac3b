import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FCM_MAX_DATA_BYTES, fcmMessage } from './fcm-message.js';
import { v1Verdict } from './fcm-v1-sender.js';

test('data values are strings, reserved keys are left out, oversized data drops the largest optional fields', () => {
  const message = fcmMessage({ contextId: 1, userId: 3, topic: 'ox:mail:new', messageData: { id: '1', unread: 3, flag: true, from: 'x', 'google.x': 'y', teaser: 't'.repeat(3000), subject: 's'.repeat(2000), folder: 'INBOX' } });
  assert.equal(message.priority, 'high');
  assert.deepEqual(message.data, { topic: 'ox:mail:new', id: '1', unread: '3', flag: 'true', subject: 's'.repeat(2000), folder: 'INBOX' });
  const size = Object.entries(message.data).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  assert.ok(size <= FCM_MAX_DATA_BYTES);
});

test('HTTP v1 answers map to dead token, retry, refresh or rejection', () => {
  const answer = (status: number, error?: unknown) => ({ status, headers: {}, body: error === undefined ? '' : JSON.stringify({ error }) });
  const fcm = (errorCode: string) => ({ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode });
  assert.equal(v1Verdict(answer(200)).verdict, 'delivered');
  assert.equal(v1Verdict(answer(404, { status: 'NOT_FOUND', details: [fcm('UNREGISTERED')] })).verdict, 'dead');
  assert.equal(v1Verdict(answer(400, { status: 'INVALID_ARGUMENT', details: [fcm('INVALID_ARGUMENT'), { fieldViolations: [{ field: 'message.token' }] }] })).verdict, 'dead');
  assert.equal(v1Verdict(answer(400, { status: 'INVALID_ARGUMENT', details: [fcm('INVALID_ARGUMENT')] })).verdict, 'rejected');
  assert.equal(v1Verdict(answer(401, { status: 'UNAUTHENTICATED' })).verdict, 'refresh-token');
  assert.equal(v1Verdict(answer(429, { status: 'RESOURCE_EXHAUSTED', details: [fcm('QUOTA_EXCEEDED')] })).verdict, 'retry');
  assert.equal(v1Verdict(answer(503)).verdict, 'retry');
  assert.equal(v1Verdict({ status: 502, headers: {}, body: '<html>bad gateway</html>' }).verdict, 'retry');
  assert.equal(v1Verdict(answer(403, { status: 'PERMISSION_DENIED', details: [fcm('SENDER_ID_MISMATCH')] })).verdict, 'rejected');
});
