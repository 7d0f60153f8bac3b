// keel context create|list|delete|set-config
import { formatTable, type CommandInput, type CommandSpec, type Context } from '@keel/plugin-sdk';
import { configChange, id, list, noPositionals, pick, print, requiredId, requiredText } from './cli-options.js';

const PAGE = 1000;

function contextTable(contexts: readonly Context[]): string {
  return formatTable(['id', 'name', 'enabled', 'login mappings'], contexts.map((context) => [context.id, context.name, context.enabled, context.loginMappings.join(',')]));
}

export function configTable(config: Record<string, string>): string {
  const rows = Object.entries(config).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return rows.length === 0 ? '(no config values)' : formatTable(['property', 'value'], rows);
}

export const contextCommands: CommandSpec[] = [
  {
    name: 'context create',
    summary: 'Create a context (tenant)',
    description: 'Creates a context with a name and login mappings (the names users log in with, such as domains). Without -c the next free id is taken.',
    options: pick('contextid', 'name', 'loginmappings'),
    async run(input: CommandInput) {
      noPositionals(input);
      const contextId = id(input.values, 'contextid');
      const loginMappings = list(input.values, 'loginmappings');
      const context = await input.admin.request<Context>('POST', '/contexts', {
        ...(contextId === undefined ? {} : { id: contextId }),
        name: requiredText(input.values, 'name'),
        ...(loginMappings === undefined ? {} : { loginMappings }),
      });
      print(input, context, () => `Context ${context.id} created\n${contextTable([context])}`);
    },
  },
  {
    name: 'context list',
    summary: 'List all contexts',
    options: {},
    async run(input: CommandInput) {
      noPositionals(input);
      const contexts: Context[] = [];
      for (let offset = 0; ; offset += PAGE) {
        const page = await input.admin.request<{ contexts: Context[] }>('GET', `/contexts?offset=${offset}&limit=${PAGE}`);
        contexts.push(...page.contexts);
        if (page.contexts.length < PAGE) break;
      }
      print(input, contexts, () => (contexts.length === 0 ? '(no contexts)' : contextTable(contexts)));
    },
  },
  {
    name: 'context delete',
    summary: 'Delete a context with all its users',
    options: pick('contextid'),
    async run(input: CommandInput) {
      noPositionals(input);
      const contextId = requiredId(input.values, 'contextid');
      await input.admin.request('DELETE', `/contexts/${contextId}`);
      print(input, { deleted: contextId }, () => `Context ${contextId} deleted`);
    },
  },
  {
    name: 'context set-config',
    summary: 'Set or remove config values of a context (its scope of the config cascade)',
    options: pick('contextid', 'set', 'remove'),
    async run(input: CommandInput) {
      noPositionals(input);
      const contextId = requiredId(input.values, 'contextid');
      const context = await input.admin.request<Context>('PUT', `/contexts/${contextId}/config`, configChange(input.values));
      print(input, context, () => configTable(context.config));
    },
  },
];
