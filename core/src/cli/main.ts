import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError, type CommandOption, type CommandSpec } from '@keel/plugin-sdk';
import { createAdminClient } from './admin-client.js';
import { loadBundleCommands, type LoadedCommand } from './bundle-commands.js';
import { bundlesReport, formatBundles } from './bundles-report.js';
import { cliPaths, type CliPaths } from './paths.js';
import { runServer, signalReload } from './run-server.js';

/** Options every command that talks to a server accepts. */
const COMMON_OPTIONS: Record<string, CommandOption> = {
  url: { type: 'string', description: 'Server URL (default http://127.0.0.1:$KEEL_HTTP_PORT, port 8080)' },
  adminuser: { type: 'string', short: 'A', description: 'Master admin login (default oxadminmaster or $KEEL_MASTER_LOGIN)' },
  adminpass: { type: 'string', short: 'P', description: 'Master admin password (default $KEEL_MASTER_PASSWORD)' },
  json: { type: 'boolean', description: 'Print JSON instead of tables' },
  help: { type: 'boolean', short: 'h', description: 'Show this help' },
};

interface Io { out(line?: string): void; err(line?: string): void }

const defaultIo: Io = {
  out: (line = '') => void process.stdout.write(`${line}\n`),
  err: (line = '') => void process.stderr.write(`${line}\n`),
};

function builtins(paths: CliPaths): CommandSpec[] {
  return [
    {
      name: 'start',
      summary: 'Start the server (embedded SQLite by default)',
      description: 'Discovers bundles, enables them by config/packages.yml, starts them in dependency order and listens on KEEL_HTTP_HOST:KEEL_HTTP_PORT (127.0.0.1:8080). SIGTERM/SIGINT stop it gracefully, SIGHUP reloads the configuration.',
      options: {},
      run: () => runServer(paths),
    },
    {
      name: 'bundles',
      summary: 'Report discovered bundles, their package status and resolution (offline)',
      description: 'Runs discovery and resolution without starting anything, with the same environment as keel start (KEEL_CONFIG_DIR, KEEL_DATA_DIR, KEEL_BUNDLE_DIRS). Exit code 1 when an enabled bundle cannot be resolved.',
      options: {},
      async run({ json, out }) {
        const bundles = await bundlesReport(paths);
        out(json ? JSON.stringify(bundles, null, 2) : formatBundles(bundles));
        return bundles.some((b) => b.status === 'enabled' && b.error) ? 1 : 0;
      },
    },
    {
      name: 'reload',
      summary: 'Re-read configuration and packages.yml in the running server',
      description: 'With master credentials (-P or KEEL_MASTER_PASSWORD) this calls the admin API and prints what started and stopped; otherwise it sends SIGHUP to the server whose PID file is in KEEL_DATA_DIR.',
      options: {},
      async run({ admin, values, env, out, json }) {
        if (values.adminpass === undefined && env.KEEL_MASTER_PASSWORD === undefined) {
          out(await signalReload(paths));
          return 0;
        }
        const result = await admin.request<{ started: string[]; stopped: string[] }>('POST', '/reload');
        out(json ? JSON.stringify(result) : `Started: ${result.started.join(', ') || '-'}\nStopped: ${result.stopped.join(', ') || '-'}`);
        return 0;
      },
    },
  ];
}

/** Entry point of the `keel` command; returns the exit code. */
export async function main(argv: string[], io: Io = defaultIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const paths = cliPaths(env);
  const commands: Array<CommandSpec & { bundle?: string }> = builtins(paths);
  const wantsBundleCommands = argv[0] !== 'start';
  if (wantsBundleCommands) {
    const loaded = await loadBundleCommands(paths).catch((error: Error) => ({ commands: [] as LoadedCommand[], problems: [error.message] }));
    for (const problem of loaded.problems) io.err(`warning: ${problem}`);
    for (const command of loaded.commands) {
      if (commands.some((c) => c.name === command.name)) io.err(`warning: bundle '${command.bundle}' defines command '${command.name}', which already exists; ignored`);
      else commands.push(command);
    }
  }

  const command = findCommand(commands, argv);
  if (!command) {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      io.out(overview(commands));
      return 0;
    }
    io.err(`Unknown command '${argv.slice(0, 2).join(' ')}'.\n\n${overview(commands)}`);
    return 2;
  }

  const rest = argv.slice(command.name.split(' ').length);
  const options = { ...COMMON_OPTIONS, ...(command.options ?? {}) };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: toParseArgsOptions(options), allowPositionals: true, strict: true });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${commandHelp(command, options)}`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(commandHelp(command, options));
    return 0;
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const admin = createAdminClient({
    url: (values.url as string | undefined) ?? `http://127.0.0.1:${env.KEEL_HTTP_PORT ?? 8080}`,
    login: (values.adminuser as string | undefined) ?? env.KEEL_MASTER_LOGIN ?? 'oxadminmaster',
    password: (values.adminpass as string | undefined) ?? env.KEEL_MASTER_PASSWORD,
  });
  try {
    const code = await command.run({ values, positionals: parsed.positionals, admin, out: io.out, err: io.err, json: values.json === true, env });
    return code ?? 0;
  } catch (error) {
    if (error instanceof CliError || (error as Error).name === 'CliError') {
      io.err((error as Error).message);
      return (error as CliError).exitCode ?? 1;
    }
    io.err(`keel ${command.name}: ${(error as Error).message ?? String(error)}`);
    return 1;
  }
}

function findCommand<T extends CommandSpec>(commands: T[], argv: string[]): T | undefined {
  const two = argv.slice(0, 2).join(' ');
  return commands.find((c) => c.name === two) ?? commands.find((c) => c.name === argv[0]);
}

function toParseArgsOptions(options: Record<string, CommandOption>): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(Object.entries(options).map(([name, option]) => [name, {
    type: option.type,
    ...(option.short ? { short: option.short } : {}),
    ...(option.multiple ? { multiple: true } : {}),
    ...(option.default !== undefined ? { default: option.default } : {}),
  }])) as NonNullable<ParseArgsConfig['options']>;
}

function overview(commands: readonly CommandSpec[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = [...commands].sort((a, b) => a.name.localeCompare(b.name)).map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: keel <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'keel <command> --help' for a command's options.`;
}

function commandHelp(command: CommandSpec, options: Record<string, CommandOption>): string {
  const rows = Object.entries(options).map(([name, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : '    '}--${name}${option.type === 'string' ? ' <value>' : ''}`;
    return [flag, `${option.description}${option.multiple ? ' (repeatable)' : ''}`] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [
    `Usage: keel ${command.name} [options]`,
    '',
    command.description ?? command.summary,
    '',
    'Options:',
    ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`),
  ].join('\n');
}
