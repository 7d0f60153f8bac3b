// The UDP socket notifyd packets arrive on, opened at bundle start and closed at stop.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Logger } from '@keel/plugin-sdk';
import { cannotListen } from './errors.js';
import { MAX_PACKET_BYTES } from './notifyd-packet.js';

export interface UdpReceiver {
  /** The bound address and port (the port is useful when 0 was configured). */
  address(): { address: string; port: number; family: string };
  close(): Promise<void>;
}

export interface UdpReceiverOptions {
  host: string;
  port: number;
  /** `host` is a multicast group to join. */
  multicast: boolean;
  multicastInterface?: string | undefined;
  logger: Logger;
  onPacket(data: Buffer, from: RemoteInfo): void;
}

async function resolve(host: string): Promise<{ address: string; family: 4 | 6 }> {
  const family = isIP(host);
  if (family === 4 || family === 6) return { address: host, family };
  const found = await lookup(host);
  return { address: found.address, family: found.family === 6 ? 6 : 4 };
}

export async function openUdpReceiver(options: UdpReceiverOptions): Promise<UdpReceiver> {
  const where = `${options.host}:${options.port}${options.multicast ? ' (multicast)' : ''}`;
  let target: { address: string; family: 4 | 6 };
  try {
    target = await resolve(options.host);
  } catch (error) {
    throw cannotListen(where, `host not resolvable: ${(error as Error).message}`);
  }
  const socket: Socket = createSocket({ type: target.family === 6 ? 'udp6' : 'udp4', reuseAddr: options.multicast });
  try {
    await new Promise<void>((resolveBind, rejectBind) => {
      socket.once('error', rejectBind);
      // Linux delivers only the group's datagrams to a socket bound to the group address itself.
      socket.bind({ port: options.port, address: target.address, exclusive: !options.multicast }, () => {
        socket.off('error', rejectBind);
        resolveBind();
      });
    });
    if (options.multicast) socket.addMembership(target.address, options.multicastInterface);
  } catch (error) {
    socket.close();
    throw cannotListen(where, (error as Error).message);
  }
  socket.on('error', (error) => options.logger.error({ err: { message: error.message } }, 'the notifyd UDP socket reported an error'));
  socket.on('message', (data, from) => {
    try {
      options.onPacket(data, from);
    } catch (error) {
      options.logger.error({ err: { message: (error as Error).message } }, 'handling a notifyd packet failed');
    }
  });
  // A little more than one maximal packet per slot; the kernel drops what does not fit anyway.
  try {
    socket.setRecvBufferSize(Math.max(socket.getRecvBufferSize(), 64 * MAX_PACKET_BYTES));
  } catch {
    // not permitted everywhere; the default works too
  }
  let closed = false;
  return {
    address: () => socket.address(),
    close: () =>
      new Promise<void>((resolveClose) => {
        if (closed) return resolveClose();
        closed = true;
        socket.close(() => resolveClose());
      }),
  };
}
