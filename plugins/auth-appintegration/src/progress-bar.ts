import type { SyncProgress } from './user-sync.js';

function kib(bytes: number): string {
  return bytes >= 10 * 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

function bar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`;
}

/** One line describing a running sync, with a bar where the total is known. */
export function renderProgress(progress: SyncProgress, width = 30): string {
  switch (progress.phase) {
    case 'fetching': {
      const size = progress.bytes === undefined ? '' : progress.totalBytes === undefined ? `, ${kib(progress.bytes)}` : `, ${kib(progress.bytes)} of ${kib(progress.totalBytes)}`;
      const head = progress.totalBytes !== undefined && progress.bytes !== undefined ? `${bar(progress.bytes / progress.totalBytes, width)} ` : '';
      return `${head}fetching the list: ${progress.done} users${size}`;
    }
    case 'reading':
      return `reading local users: ${progress.done}`;
    case 'applying': {
      const total = progress.total ?? 0;
      return `${bar(total === 0 ? 1 : progress.done / total, width)} applying changes: ${progress.done}/${total}`;
    }
    case 'done':
      return `${bar(1, width)} done`;
  }
}
