import { resolve } from 'node:path';

export interface CliPaths {
  root: string;
  configDir: string;
  dataDir: string;
  env: NodeJS.ProcessEnv;
}

/** `KEEL_CONFIG_DIR` (default ./config) and `KEEL_DATA_DIR` (default ./data), relative to `KEEL_HOME` or the working directory. */
export function cliPaths(env: NodeJS.ProcessEnv = process.env): CliPaths {
  const root = resolve(env.KEEL_HOME ?? process.cwd());
  return {
    root,
    configDir: resolve(root, env.KEEL_CONFIG_DIR ?? 'config'),
    dataDir: resolve(root, env.KEEL_DATA_DIR ?? 'data'),
    env,
  };
}
