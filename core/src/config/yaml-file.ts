import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { keelError } from '../errors.js';
import { displayPath } from './source-path.js';

/** A parsed YAML file, with what is needed to name a line in later (semantic) errors. */
export interface YamlFile {
  document: Document.Parsed;
  /** `config/contextSets/a.yml`, for messages. */
  display: string;
  /** 1-based line of a node's start offset. */
  lineOf(offset: number | undefined): number | string;
}

/**
 * Reads and parses one YAML file; undefined when it does not exist. A syntax error throws
 * KEEL-CONFIG-YAML with file and line. Synchronous: option files are small and the config service's
 * `yaml()` is synchronous by contract.
 */
export function readYamlFile(path: string): YamlFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const display = displayPath(path);
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true });
  const problem = document.errors[0];
  if (problem !== undefined) {
    const line = problem.linePos?.[0].line ?? lineCounter.linePos(problem.pos[0]).line;
    throw keelError('KEEL-CONFIG-YAML', { file: display, line, detail: firstLine(problem.message) });
  }
  return {
    document,
    display,
    lineOf: (offset) => (offset === undefined ? '?' : lineCounter.linePos(offset).line),
  };
}

/** The file's content as plain JavaScript; alias bombs and the like become KEEL-CONFIG-YAML. */
export function yamlToJs(file: YamlFile): unknown {
  try {
    return file.document.toJS();
  } catch (error) {
    throw keelError('KEEL-CONFIG-YAML', { file: file.display, line: '?', detail: firstLine(String((error as Error).message ?? error)) });
  }
}

// yaml's pretty messages append a code excerpt over several lines; the first line says it all.
function firstLine(message: string): string {
  return message.split('\n', 1)[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
