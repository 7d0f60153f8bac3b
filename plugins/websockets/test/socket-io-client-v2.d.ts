// socket.io-client@2 (installed as `socket.io-client-v2`) ships no types; this is the part the tests use.
declare module 'socket.io-client-v2' {
  interface V2Engine {
    on(event: 'packet', listener: (packet: { type: string; data?: unknown }) => void): void;
    readonly transport: { readonly name: string };
  }
  interface V2Manager {
    readonly engine: V2Engine;
  }
  export interface V2Socket {
    readonly id: string;
    readonly connected: boolean;
    readonly io: V2Manager;
    on(event: string, listener: (...args: any[]) => void): V2Socket;
    once(event: string, listener: (...args: any[]) => void): V2Socket;
    off(event: string, listener?: (...args: any[]) => void): V2Socket;
    close(): V2Socket;
  }
  export interface V2Options {
    path?: string;
    transports?: string[];
    query?: Record<string, string> | string;
    extraHeaders?: Record<string, string>;
    forceNew?: boolean;
    reconnection?: boolean;
    reconnectionDelay?: number;
    reconnectionDelayMax?: number;
    timeout?: number;
  }
  export default function io(url: string, options?: V2Options): V2Socket;
}
