import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

const PLACEHOLDER = /\$\{(env|file):([^}]*)\}/g;

/** A value with its placeholders replaced, or the first placeholder that could not be resolved. */
export type Resolution = { value: string; missing?: undefined } | { value?: undefined; missing: string };

/**
 * Replaces `${env:NAME}` (from the environment snapshot) and `${file:/path}` (the file's content
 * without its trailing newline; a relative path is taken from the config directory). Other `${…}`
 * text is left alone: it may be meaningful to whoever reads the value. `files` caches reads within
 * one load, so a secret file used by several properties is read once.
 */
export async function resolvePlaceholders(
  raw: string,
  env: NodeJS.ProcessEnv,
  directory: string,
  files: Map<string, Promise<string | undefined>>,
): Promise<Resolution> {
  if (!raw.includes('${')) return { value: raw };
  const parts: string[] = [];
  let last = 0;
  for (const match of raw.matchAll(PLACEHOLDER)) {
    const [text, kind, argument] = match as unknown as [string, 'env' | 'file', string];
    let replacement: string | undefined;
    if (kind === 'env') {
      replacement = env[argument];
    } else {
      const path = resolve(directory, argument);
      let read = files.get(path);
      if (read === undefined) {
        read = readFile(path, 'utf8').then((content) => content.replace(/\r?\n$/, ''), () => undefined);
        files.set(path, read);
      }
      replacement = await read;
    }
    if (replacement === undefined) return { missing: text };
    parts.push(raw.slice(last, match.index), replacement);
    last = match.index + text.length;
  }
  parts.push(raw.slice(last));
  return { value: parts.join('') };
}
