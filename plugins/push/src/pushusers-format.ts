import type { PushRegistration, RunningPushListener } from '@keel/plugin-sdk';

/**
 * The original tool's tables: two spaces between columns, the context column right-aligned, the
 * others left-aligned, the last one unpadded:
 *
 *     Context  User  Permanent
 *           1  249   true
 */
export function formatPushTable(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | boolean>>): string {
  const cells = [headers.map(String), ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[], header: boolean) => row.map((cell, column) => {
    if (column === 0 && !header) return cell.padStart(widths[0]!);
    return column === row.length - 1 ? cell : cell.padEnd(widths[column]!);
  }).join('  ');
  return cells.map((row, index) => line(row, index === 0)).join('\n');
}

/** Running listeners, one row per user and kind (a user served by two managers is one row). */
export function runningUsersTable(listeners: readonly RunningPushListener[]): string {
  if (listeners.length === 0) return 'No running push users on this node.';
  const rows = new Map<string, [number, number, boolean]>();
  for (const { contextId, userId, permanent } of listeners) rows.set(`${contextId}:${userId}:${permanent}`, [contextId, userId, permanent]);
  const sorted = [...rows.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1] || Number(b[2]) - Number(a[2]));
  return formatPushTable(['Context', 'User', 'Permanent'], sorted);
}

export function registrationsTable(registrations: readonly PushRegistration[]): string {
  if (registrations.length === 0) return 'No registered push users.';
  const sorted = [...registrations].sort((a, b) => a.contextId - b.contextId || a.userId - b.userId || a.client.localeCompare(b.client));
  return formatPushTable(['Context', 'User', 'Client'], sorted.map((r) => [r.contextId, r.userId, r.client]));
}

export function unregisteredMessage(registration: PushRegistration): string {
  return `Push registration successfully deleted for user ${registration.userId} in context ${registration.contextId} for client '${registration.client}'`;
}
