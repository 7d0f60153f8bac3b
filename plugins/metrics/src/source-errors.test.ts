import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Logger } from '@keel/plugin-sdk';
import { Registry } from 'prom-client';
import { createSourceErrors } from './source-errors.js';

function recordingLogger(lines: Array<[string, string]>): Logger {
  const at = (level: string) => (_obj: object | string, msg?: string) => {
    lines.push([level, msg ?? '']);
  };
  const logger: Logger = { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal'), child: () => logger };
  return logger;
}

it('counts every problem per source, warns once per failing streak, and starts every source at 0', async () => {
  const lines: Array<[string, string]> = [];
  const registry = new Registry();
  const errors = createSourceErrors(registry, recordingLogger(lines));
  const thrown = { source: 'broken', reason: 'boom' };
  errors.record([thrown], ['fine', 'broken']);
  errors.record([thrown, { source: 'broken', family: 'x', reason: 'conflicts' }], ['fine', 'broken']);
  errors.record([thrown], ['fine', 'broken']);
  assert.deepEqual(lines, [['warn', "Metrics source 'broken' is left out of scrapes, in part or whole: boom (logged once until it reports cleanly)"]]);

  errors.record([], ['fine', 'broken']);
  errors.record([{ source: 'broken', family: 'x', reason: 'conflicts' }], ['fine', 'broken']);
  assert.deepEqual(lines.slice(1), [
    ['info', "Metrics source 'broken' reports cleanly again"],
    ['warn', "Metrics source 'broken' is left out of scrapes, in part or whole: x conflicts (logged once until it reports cleanly)"],
  ]);

  const text = await registry.metrics();
  assert.match(text, /^keel_metrics_source_errors_total\{source="broken"\} 5$/m);
  assert.match(text, /^keel_metrics_source_errors_total\{source="fine"\} 0$/m);
});
