import { execFile, spawn } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** Runs a program without a shell; rejects with its stderr in the message when it fails. */
export function runCommand(
  file: string,
  args: readonly string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { encoding: 'utf8', timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const detail = (stderr || stdout).trim();
          reject(new Error(`${file} ${args.join(' ')} failed: ${error.message.split('\n')[0]}${detail ? `\n${detail}` : ''}`));
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/**
 * Starts a self-daemonizing server and resolves when the launcher exits. The daemon's output goes
 * to outputFile, not to pipes: a daemon that keeps inherited pipes open (Dovecot does, for about a
 * minute) would otherwise keep execFile waiting.
 */
export async function startDaemon(file: string, args: readonly string[], outputFile: string): Promise<void> {
  const output = await open(outputFile, 'a');
  try {
    const child = spawn(file, args, { stdio: ['ignore', output.fd, output.fd] });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
    });
    if (code !== 0) {
      const text = await readFile(outputFile, 'utf8').catch(() => '');
      throw new Error(`${file} ${args.join(' ')} exited with ${code ?? signal}${text.trim() ? `\n${text.trim().split('\n').slice(-20).join('\n')}` : ''}`);
    }
  } finally {
    await output.close();
  }
}
