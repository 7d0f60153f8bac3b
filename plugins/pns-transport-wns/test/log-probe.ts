// Run as a child process by secrets-in-logs.test.ts: boots the bundle with the kernel's real JSON
// logger on stdout (KEEL_LOG_LEVEL set by the parent), pushes once, stops.
import { pushTransportRef, type PushMatch, type PushNotification } from '@keel/plugin-sdk';
import { startTestKernel } from '@keel/plugin-sdk/testing';
import wnsBundle from '../src/index.js';

interface ProbeInput {
  properties: Record<string, string>;
  files: Record<string, string>;
  notification: PushNotification;
  matches: PushMatch[];
}

const input = JSON.parse(process.argv[2] ?? '{}') as ProbeInput;
const keel = await startTestKernel({ bundles: { 'pns-transport-wns': wnsBundle }, properties: input.properties, files: input.files, http: false });
const transport = keel.getAll(pushTransportRef).find((t) => t.id === 'wns');
await transport?.deliver(input.notification, input.matches);
await keel.stop();
