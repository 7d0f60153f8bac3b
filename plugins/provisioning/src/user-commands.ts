// keel user create|list|delete|set-password|set-config
import { CliError, formatTable, type CommandInput, type CommandSpec, type User } from '@keel/plugin-sdk';
import { configChange, id, list, noPositionals, pick, print, requiredId, requiredText, text } from './cli-options.js';
import { configTable } from './context-commands.js';

const PAGE = 1000;

function userTable(users: readonly User[]): string {
  return formatTable(
    ['id', 'login', 'display name', 'email', 'enabled', 'aliases'],
    users.map((user) => [user.id, user.login, user.displayName, user.email, user.enabled, user.aliases.join(',')]),
  );
}

/** The user named by -i, or by -u (looked up by login). */
async function userId(input: CommandInput, contextId: number): Promise<number> {
  const byId = id(input.values, 'userid');
  if (byId !== undefined) return byId;
  const login = text(input.values, 'username');
  if (login === undefined || login === '') throw new CliError('Missing -i/--userid or -u/--username', 2);
  const found = await input.admin.request<{ users: User[] }>('GET', `/contexts/${contextId}/users?login=${encodeURIComponent(login)}`);
  const user = found.users[0];
  if (!user) throw new CliError(`No user with login '${login}' in context ${contextId}`, 1);
  return user.id;
}

export const userCommands: CommandSpec[] = [
  {
    name: 'user create',
    summary: 'Create a user in a context',
    options: pick('contextid', 'username', 'displayname', 'email', 'password', 'aliases'),
    async run(input: CommandInput) {
      noPositionals(input);
      const contextId = requiredId(input.values, 'contextid');
      const aliases = list(input.values, 'aliases');
      const user = await input.admin.request<User>('POST', `/contexts/${contextId}/users`, {
        login: requiredText(input.values, 'username'),
        password: requiredText(input.values, 'password'),
        displayName: requiredText(input.values, 'displayname'),
        email: requiredText(input.values, 'email'),
        ...(aliases === undefined ? {} : { aliases }),
      });
      print(input, user, () => `User ${user.id} created in context ${contextId}\n${userTable([user])}`);
    },
  },
  {
    name: 'user list',
    summary: 'List the users of a context',
    options: pick('contextid'),
    async run(input: CommandInput) {
      noPositionals(input);
      const contextId = requiredId(input.values, 'contextid');
      const users: User[] = [];
      for (let offset = 0; ; offset += PAGE) {
        const page = await input.admin.request<{ users: User[] }>('GET', `/contexts/${contextId}/users?offset=${offset}&limit=${PAGE}`);
        users.push(...page.users);
        if (page.users.length < PAGE) break;
      }
      print(input, users, () => (users.length === 0 ? `(no users in context ${contextId})` : userTable(users)));
    },
  },
  {
    name: 'user delete',
    summary: 'Delete a user',
    options: pick('contextid', 'userid', 'username'),
    async run(input: CommandInput) {
      noPositionals(input);
      const contextId = requiredId(input.values, 'contextid');
      const uid = await userId(input, contextId);
      await input.admin.request('DELETE', `/contexts/${contextId}/users/${uid}`);
      print(input, { deleted: uid, contextId }, () => `User ${uid} deleted from context ${contextId}`);
    },
  },
  {
    name: 'user set-password',
    summary: "Change a user's password",
    options: pick('contextid', 'userid', 'username', 'password'),
    async run(input: CommandInput) {
      noPositionals(input);
      const contextId = requiredId(input.values, 'contextid');
      const password = requiredText(input.values, 'password');
      const uid = await userId(input, contextId);
      await input.admin.request('PUT', `/contexts/${contextId}/users/${uid}/password`, { password });
      print(input, { changed: uid, contextId }, () => `Password of user ${uid} in context ${contextId} changed`);
    },
  },
  {
    name: 'user set-config',
    summary: 'Set or remove config values of a user (the user scope of the config cascade)',
    options: pick('contextid', 'userid', 'username', 'set', 'remove'),
    async run(input: CommandInput) {
      noPositionals(input);
      const contextId = requiredId(input.values, 'contextid');
      const change = configChange(input.values);
      const uid = await userId(input, contextId);
      const user = await input.admin.request<User>('PUT', `/contexts/${contextId}/users/${uid}/config`, change);
      print(input, user, () => configTable(user.config));
    },
  },
];
