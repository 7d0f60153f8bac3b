import { CliError, defineCommands, formatTable, type BundleInfo, type CommandInput } from '@keel/plugin-sdk';
import { hashPassword } from './password-hash.js';
import { DEFAULT_MASTER_LOGIN } from './admin-settings.js';

/** Positionals after the command words (tolerates CLIs that pass the words along). */
function argsOf(command: string, positionals: readonly string[]): string[] {
  const words = command.split(' ');
  return words.every((word, index) => positionals[index] === word) ? positionals.slice(words.length) : [...positionals];
}

function bundleName(command: string, input: CommandInput): string {
  const [name] = argsOf(command, input.positionals);
  if (name === undefined || name === '') throw new CliError(`usage: keel ${command} <bundle name>`, 2);
  return name;
}

function printBundle(input: CommandInput, info: BundleInfo, verb: string): void {
  if (input.json) input.out(JSON.stringify(info, null, 2));
  else input.out(`Bundle ${info.name} ${verb}: ${info.state}${info.error ? ` (${info.error.code}: ${info.error.message})` : ''}`);
}

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (Buffer.concat(chunks).includes(0x0a)) break;
  }
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/**
 * `keel bundle list|start|stop` and `keel service list` talk to the running server's admin API
 * (`keel reload` and the offline `keel bundles` report are core's); `keel mpasswd` works offline.
 */
export default defineCommands([
  {
    name: 'bundle list',
    summary: 'List the bundles of the running server with their status and state',
    async run(input) {
      const { bundles } = await input.admin.request<{ bundles: BundleInfo[] }>('GET', '/bundles');
      if (input.json) {
        input.out(JSON.stringify(bundles, null, 2));
        return 0;
      }
      input.out(formatTable(
        ['NAME', 'VERSION', 'STATUS', 'STATE', 'PROBLEM'],
        bundles.map((b) => [b.name, b.version, b.status, b.state, b.error ? `${b.error.code}: ${b.error.message}` : '']),
      ));
      return 0;
    },
  },
  {
    name: 'bundle start',
    summary: 'Start a bundle (and what it needs) on the running server',
    async run(input) {
      const name = bundleName('bundle start', input);
      const info = await input.admin.request<BundleInfo>('POST', `/bundles/${encodeURIComponent(name)}/start`);
      printBundle(input, info, 'started');
      return info.state === 'ACTIVE' ? 0 : 1;
    },
  },
  {
    name: 'bundle stop',
    summary: 'Stop a bundle and the bundles that require it on the running server',
    async run(input) {
      const name = bundleName('bundle stop', input);
      const info = await input.admin.request<BundleInfo>('POST', `/bundles/${encodeURIComponent(name)}/stop`);
      printBundle(input, info, 'stopped');
      return 0;
    },
  },
  {
    name: 'service list',
    summary: 'List the services registered on the running server',
    async run(input) {
      const { services } = await input.admin.request<{ services: Array<{ id: string; version: string; bundle: string; ranking: number; serviceId: number }> }>('GET', '/services');
      if (input.json) {
        input.out(JSON.stringify(services, null, 2));
        return 0;
      }
      input.out(formatTable(['ID', 'VERSION', 'BUNDLE', 'RANKING', 'SERVICE ID'], services.map((s) => [s.id, s.version, s.bundle, s.ranking, s.serviceId])));
      return 0;
    },
  },
  {
    name: 'mpasswd',
    summary: 'Print an mpasswd line (login:{scrypt}…) for a master password read from stdin',
    description: 'Reads the password from the first line of stdin, e.g. `printf %s "$PW" | keel mpasswd > config/mpasswd`. Works offline.',
    async run(input) {
      // -A/--adminuser is the CLI's common master-login option.
      const login = typeof input.values['adminuser'] === 'string' ? input.values['adminuser'] : DEFAULT_MASTER_LOGIN;
      if (login.includes(':') || login === '') throw new CliError('the login must be non-empty and must not contain ":"', 2);
      const password = await readStdinLine();
      if (password === '') throw new CliError('no password on stdin', 2);
      input.out(`${login}:${await hashPassword(password)}`);
      return 0;
    },
  },
]);
