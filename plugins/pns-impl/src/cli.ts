// `keel pns send`: sends a notification through the running server's admin API.
import { CliError, defineCommands, type CommandInput } from '@keel/plugin-sdk';

function integer(input: CommandInput, option: string, flag: string): number {
  const raw = input.values[option];
  if (typeof raw !== 'string' || raw === '') throw new CliError(`missing ${flag} <${option}>; see keel pns send --help`, 2);
  if (!/^\d+$/.test(raw)) throw new CliError(`${flag} must be a non-negative integer, got '${raw}'`, 2);
  return Number(raw);
}

export default defineCommands([
  {
    name: 'pns send',
    summary: 'Send a push notification to a user by hand (to test transports and subscriptions)',
    description: [
      'Delivers the notification at once (no buffering) to every subscription and implicit interest',
      'of the user that is enabled in the config cascade, and prints how many matches were attempted.',
      '',
      'Example:',
      `  keel pns send -c 1 -u 3 -t ox:mail:new -d '{"folder":"default0/INBOX","id":"113","subject":"Hello"}'`,
    ].join('\n'),
    options: {
      context: { type: 'string', short: 'c', description: 'Context id of the user (required)' },
      user: { type: 'string', short: 'u', description: 'User id (required)' },
      topic: { type: 'string', short: 't', description: 'Topic, e.g. ox:mail:new or ox:calendar:updates (required)' },
      data: { type: 'string', short: 'd', description: 'Message data as a JSON object (default {})' },
    },
    async run(input) {
      const contextId = integer(input, 'context', '-c/--context');
      const userId = integer(input, 'user', '-u/--user');
      const topic = input.values.topic;
      if (typeof topic !== 'string' || topic === '') throw new CliError('missing -t/--topic <topic>; see keel pns send --help', 2);
      let data: unknown = {};
      const rawData = input.values.data;
      if (typeof rawData === 'string' && rawData !== '') {
        try {
          data = JSON.parse(rawData);
        } catch (error) {
          throw new CliError(`-d/--data is not valid JSON: ${(error as Error).message}`, 2);
        }
      }
      if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new CliError('-d/--data must be a JSON object', 2);
      const result = await input.admin.request<{ matches: number }>('POST', '/pns/send', { contextId, userId, topic, data });
      if (input.json) input.out(JSON.stringify(result));
      else input.out(`Notification '${topic}' sent to user ${userId} in context ${contextId}: ${result.matches} match${result.matches === 1 ? '' : 'es'}`);
      return 0;
    },
  },
]);
