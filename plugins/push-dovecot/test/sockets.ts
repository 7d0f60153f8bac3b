// The App Suite client side, taken from the websockets bundle's compiled test helpers (a bundle's
// tests may use a sibling's build; its code never imports one). Only what these tests use is typed.
export interface Login { session: string; cookie: string; contextId: number; userId: number }

export interface TestSocket {
  readonly version: 2 | 4;
  readonly events: Array<{ event: string; args: unknown[] }>;
  next(event: string): Promise<unknown[]>;
  close(): void;
}

interface Clients { connectV2(url: string, credentials: { session?: string; cookie?: string }): Promise<TestSocket> }
interface Support {
  login(url: string, name: string, password: string): Promise<Login>;
  logout(url: string, login: Login): Promise<void>;
}

const sibling = async <T>(path: string): Promise<T> => (await import(new URL(`../../../websockets/dist/test/${path}`, import.meta.url).href)) as T;

export const { connectV2 } = await sibling<Clients>('clients.js');
export const { login, logout } = await sibling<Support>('support.js');
