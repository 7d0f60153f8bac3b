import { ApiError } from './api.js';

/** Text for an error caught from the API or the network. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.describe();
  return error instanceof Error ? error.message : String(error);
}

/** `sessions.service@^1.0.0` → `sessions.service ^1.0.0`, wrappable in narrow table cells. */
export function refLabel(entry: string): string {
  const at = entry.lastIndexOf('@');
  return at <= 0 ? entry : `${entry.slice(0, at)} ${entry.slice(at + 1)}`;
}

export function formatNumber(value: number | null): string {
  if (value === null) return 'NaN';
  return Number.isInteger(value) ? value.toLocaleString('en') : value.toLocaleString('en', { maximumFractionDigits: 3 });
}

export function labelText(labels: Readonly<Record<string, string>> | undefined): string {
  const entries = Object.entries(labels ?? {});
  return entries.length === 0 ? '' : entries.map(([name, value]) => `${name}="${value}"`).join(', ');
}
