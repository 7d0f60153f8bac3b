// `keel appintegration sync -c <cid> [--dry-run]`: starts a sync on the running server and follows it.
import { CliError, defineCommands, formatTable, type CommandInput } from '@keel/plugin-sdk';
import { renderProgress } from './progress-bar.js';
import type { SyncJob } from './sync-jobs.js';
import type { SyncSummary } from './user-sync.js';

const POLL_MS = 200;

function contextIdOf(value: unknown): number {
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) < 1) {
    throw new CliError(`Give the context to sync with -c <context id>${value === undefined ? '' : ` (got '${String(value)}')`}`, 2);
  }
  return Number(value);
}

/** Progress on stderr: a redrawn line on a terminal, otherwise a line per phase and per tenth applied. */
function progressPrinter(input: CommandInput): { show(job: SyncJob): void; finish(): void } {
  const tty = process.stderr.isTTY === true && !input.json;
  let last = '';
  let drawn = false;
  return {
    show(job) {
      const line = renderProgress(job.progress);
      if (tty) {
        process.stderr.write(`\r${line.padEnd(last.length)}`);
        drawn = true;
        last = line;
        return;
      }
      const p = job.progress;
      const step = p.phase === 'applying' && p.total ? Math.floor((p.done / p.total) * 10) : 0;
      const key = `${p.phase}:${step}`;
      if (key !== last) {
        input.err(line);
        last = key;
      }
    },
    finish() {
      if (drawn) process.stderr.write('\n');
    },
  };
}

export function formatSummary(summary: SyncSummary): string[] {
  const lines = [
    `${summary.dryRun ? 'Dry run of the sync of' : 'Synchronised'} context ${summary.contextId}: `
      + `created ${summary.created}, updated ${summary.updated}, disabled ${summary.disabled}, unchanged ${summary.unchanged}, `
      + `skipped ${summary.skipped}, failed ${summary.failed} (${summary.listed} listed, ${(summary.durationMs / 1000).toFixed(1)} s)`,
  ];
  if (summary.dryRun) {
    lines.push(summary.plan && summary.plan.length > 0 ? 'Nothing was changed. The plan:' : 'Nothing was changed; nothing would change.');
    if (summary.plan && summary.plan.length > 0) {
      lines.push(formatTable(['ACTION', 'LOGIN', 'CHANGES'], summary.plan.map((change) => [change.action, change.login, change.changes.join('; ')])));
    }
  }
  if (summary.problemCount > 0) {
    lines.push(`Problems (${summary.problemCount}${summary.problemCount > summary.problems.length ? `, the first ${summary.problems.length} shown` : ''}):`);
    for (const problem of summary.problems) lines.push(`  ${problem}`);
  }
  return lines;
}

export default defineCommands([
  {
    name: 'appintegration sync',
    summary: 'Synchronise a context\'s users from its Application Integration server (cmd=list)',
    description: 'Creates users the server lists, updates changed names and mail addresses, and disables (never deletes) '
      + 'users that left the list. Only users created by a sync (source appintegration) are updated or disabled. '
      + 'With --dry-run nothing is changed and the plan is printed. Exit code 1 when some changes failed.',
    options: {
      context: { type: 'string', short: 'c', description: 'Context id (configured in auth-appintegration.yml)' },
      'dry-run': { type: 'boolean', description: 'Print what would change without changing anything' },
    },
    async run(input) {
      const contextId = contextIdOf(input.values['context']);
      const dryRun = input.values['dry-run'] === true;
      let job = await input.admin.request<SyncJob>('POST', '/appintegration/sync', { contextId, dryRun, wait: false });
      const printer = progressPrinter(input);
      printer.show(job);
      while (job.state === 'running') {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        job = await input.admin.request<SyncJob>('GET', `/appintegration/sync/${job.id}`);
        printer.show(job);
      }
      printer.finish();
      if (job.state === 'failed' || job.summary === undefined) {
        throw new CliError(`The sync of context ${contextId} failed: ${job.error?.message ?? 'no summary'}${job.error ? ` (${job.error.code})` : ''}`, 1);
      }
      if (input.json) input.out(JSON.stringify(job.summary, null, 2));
      else for (const line of formatSummary(job.summary)) input.out(line);
      return job.summary.failed > 0 ? 1 : 0;
    },
  },
]);
