import { isAbsolute, relative } from 'node:path';

/**
 * How a config file is named in sources and errors: relative to the working directory when it lies
 * below it (`config/push.properties`, what operators see in their tree), else the absolute path.
 */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
