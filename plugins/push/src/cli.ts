import { CliError, defineCommands, type CommandInput, type PushRegistration, type RunningPushListener } from '@keel/plugin-sdk';
import { registrationsTable, runningUsersTable, unregisteredMessage } from './pushusers-format.js';

const USAGE = 'usage: keel pushusers [-l | [ -r -c <contextId> -u <userId> -i <client>] ] -A <masterAdmin> -P <masterAdminPassword> [--url <server URL>] | [-h]';

function positiveInteger(value: unknown, flag: string): number {
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) <= 0) throw new CliError(`${flag} needs a positive integer\n${USAGE}`, 2);
  return Number(value);
}

async function unregister(input: CommandInput): Promise<number> {
  const { context, user, client } = input.values;
  const missing = [context === undefined ? '-c <contextId>' : '', user === undefined ? '-u <userId>' : '', client === undefined ? '-i <client>' : ''].filter(Boolean);
  if (missing.length > 0) throw new CliError(`-r needs ${missing.join(', ')}\n${USAGE}`, 2);
  if (typeof client !== 'string' || client === '') throw new CliError(`-i needs a client identifier\n${USAGE}`, 2);
  const registration: PushRegistration = { contextId: positiveInteger(context, '-c'), userId: positiveInteger(user, '-u'), client };
  await input.admin.request('DELETE', '/push/registrations', registration);
  input.out(input.json ? JSON.stringify({ deleted: true, ...registration }) : unregisteredMessage(registration));
  return 0;
}

/** `keel pushusers`: the original `pushusers` tool over the admin API, same flags, same output. */
export default defineCommands([
  {
    name: 'pushusers',
    summary: 'List running push listeners and permanent push registrations, or unregister one',
    description: [
      USAGE,
      '',
      'Without options: the push listeners running on this node (Context User Permanent).',
      '-l lists the permanent push registrations (Context User Client); -r -c -u -i deletes one.',
      '-p, -s and --responsetimeout are accepted for scripts written for the original tool and have',
      'no effect: the server is reached with --url (default http://127.0.0.1:$KEEL_HTTP_PORT).',
    ].join('\n'),
    options: {
      'list-client-registrations': { type: 'boolean', short: 'l', description: 'Flag to list client registrations' },
      unregister: { type: 'boolean', short: 'r', description: 'Flag to unregister a push user' },
      context: { type: 'string', short: 'c', description: 'A valid context identifier' },
      user: { type: 'string', short: 'u', description: 'A valid user identifier' },
      client: { type: 'string', short: 'i', description: 'The client identifier' },
      port: { type: 'string', short: 'p', description: 'The optional RMI port (accepted, no effect)' },
      server: { type: 'string', short: 's', description: 'The optional RMI server (accepted, no effect; use --url)' },
      responsetimeout: { type: 'string', description: 'The optional response timeout in seconds (accepted, no effect)' },
    },
    async run(input) {
      const list = input.values['list-client-registrations'] === true;
      const remove = input.values['unregister'] === true;
      const extra = input.positionals.filter((word) => word !== 'pushusers');
      if (extra.length > 0) throw new CliError(`unexpected argument '${extra[0]}'\n${USAGE}`, 2);
      if (list && remove) throw new CliError(`-l and -r are mutually exclusive\n${USAGE}`, 2);
      if (remove) return unregister(input);
      const stray = (['context', 'user', 'client'] as const).filter((name) => input.values[name] !== undefined);
      if (stray.length > 0) throw new CliError(`-c, -u and -i are only used with -r\n${USAGE}`, 2);
      if (list) {
        const { registrations } = await input.admin.request<{ registrations: PushRegistration[] }>('GET', '/push/registrations');
        input.out(input.json ? JSON.stringify(registrations, null, 2) : registrationsTable(registrations));
        return 0;
      }
      const { listeners } = await input.admin.request<{ listeners: RunningPushListener[] }>('GET', '/push/listeners');
      input.out(input.json ? JSON.stringify(listeners, null, 2) : runningUsersTable(listeners));
      return 0;
    },
  },
]);
