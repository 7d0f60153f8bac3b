// The master admin's credentials for this browser tab only: sessionStorage is dropped with the tab
// and is not shared with other tabs or sent anywhere by the browser on its own.

export interface Credentials {
  login: string;
  password: string;
}

const KEY = 'keel-admin-credentials';

export function storedCredentials(): Credentials | undefined {
  try {
    const value: unknown = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
    if (typeof value !== 'object' || value === null) return undefined;
    const { login, password } = value as Record<string, unknown>;
    return typeof login === 'string' && typeof password === 'string' ? { login, password } : undefined;
  } catch {
    return undefined;
  }
}

export function storeCredentials(credentials: Credentials): void {
  sessionStorage.setItem(KEY, JSON.stringify(credentials));
}

export function forgetCredentials(): void {
  sessionStorage.removeItem(KEY);
}
