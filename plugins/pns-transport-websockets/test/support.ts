// The web socket clients, login and kernel helpers of the websockets bundle's tests, loaded from its
// compiled output (a bundle's tests may use a sibling's build; its code never imports one).
type Clients = typeof import('../../websockets/test/clients.js');
type Support = typeof import('../../websockets/test/support.js');

const sibling = async <T>(path: string): Promise<T> => (await import(new URL(`../../../websockets/dist/test/${path}`, import.meta.url).href)) as T;

export const { connectV2, connectV4 } = await sibling<Clients>('clients.js');
export const { eventually, loadBundle, login, logout, startDirectoryKernel } = await sibling<Support>('support.js');
export type { TestSocket } from '../../websockets/test/clients.js';
export type { Directory, Login } from '../../websockets/test/support.js';
