import { defineBundle, type DefinedBundle } from '../bundle.js';
import { pushTransportRef, type PushNotification } from '../contracts/pns.js';

/**
 * A bundle registering a PNS transport that records what the real PNS hands it: every user is
 * implicitly interested in the `ox:mail:*` topics for `client`, as the App Suite UI is through the
 * websocket transport, so a push manager's notifications reach it without any subscription.
 * For tests of bundles that feed the PNS (push managers), next to the real pns-impl.
 */
export function recordingTransport(
  record: (notification: PushNotification) => void,
  options: { id?: string; client?: string } = {},
): DefinedBundle<any, any> {
  const client = options.client ?? 'open-xchange-appsuite';
  return defineBundle({
    provides: [pushTransportRef],
    start({ register }) {
      register(pushTransportRef, {
        id: options.id ?? 'test-recorder',
        implicitInterest: (topic: string) => (topic.startsWith('ox:mail:') ? { client } : undefined),
        isEnabled: async () => true,
        async deliver(notification: PushNotification) {
          record(notification);
        },
      });
    },
  });
}
