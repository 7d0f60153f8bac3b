import { KeelError } from '@keel/plugin-sdk';

/** Codes of push-mailnotify: MNT-0001 the UDP socket cannot be opened, MNT-0002 invalid configuration. */
export function cannotListen(where: string, detail: string): KeelError {
  return new KeelError('MNT-0001', `Cannot receive notifyd packets on UDP ${where} (com.openexchange.push.mail.notify.udp_listen_*): ${detail}`, {
    status: 500,
    params: [where],
  });
}

export function invalidSetting(property: string, value: string, expected: string, source: string | undefined): KeelError {
  return new KeelError('MNT-0002', `Property ${property}=${value}${source ? ` (${source})` : ''} is invalid: expected ${expected}`, {
    status: 500,
    params: [property, value],
  });
}
