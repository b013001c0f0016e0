/**
 * Reading a YAML or JSON input file (deployment, matrix, waivers) so that every later complaint
 * can name a line: the file is parsed with the yaml package (JSON is YAML), and a JSON pointer
 * into the data maps back to the node it came from. Hostile input is refused before it costs
 * much: oversized files, deep nesting, alias bombs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CST, type Document, isAlias, isMap, isScalar, isSeq, Lexer, LineCounter, parseDocument } from 'yaml';
import { type Diagnostic, InputError, type Location } from '../model/errors';

/** Input files are a few kilobytes; the YAML parser needs ~100 bytes of memory per byte of input. */
export const MAX_INPUT_BYTES = 10 * 1024 * 1024;
/** The YAML parser recurses once per level of nesting and exhausts memory long before 10 MiB of `[`. */
export const MAX_NESTING = 64;
/** yaml's guard against alias ("billion laughs") bombs: a bound on the nodes that aliases copy. */
const MAX_ALIAS_COUNT = 100;

export interface ParsedInput {
  /** The path as given, for messages. */
  file: string;
  /** The absolute path, to resolve the paths the file names. */
  absolutePath: string;
  /** The document as plain data. */
  data: unknown;
  /**
   * Where the node at a JSON pointer is written: its value, or with `key` the key of a mapping
   * entry. A pointer that goes beyond the document gives the deepest node that exists.
   */
  locate(pointer: string, part?: 'key' | 'value'): Location;
}

export function parseInputFile(file: string): ParsedInput {
  const absolutePath = path.resolve(file);
  const text = readBounded(file, absolutePath);
  const lineCounter = new LineCounter();
  const at = (offset: number, message: string): Diagnostic => {
    const { line, col } = lineCounter.linePos(offset);
    return { location: { file, line, column: col }, message };
  };

  const deepLine = lineOfExcessiveNesting(text);
  if (deepLine !== undefined) {
    throw new InputError([{ location: { file, line: deepLine }, message: `nested more than ${MAX_NESTING} levels deep: refused` }]);
  }
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new InputError(doc.errors.map((error) => at(error.pos[0], error.message.split('\n')[0])));
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // yaml throws a ReferenceError for an alias bomb and for an alias it cannot resolve.
    if (!(error instanceof ReferenceError)) throw error;
    const message = error.message.startsWith('Excessive alias count')
      ? 'aliases (*name) expand to too many nodes, as in an alias bomb: refused'
      : error.message;
    throw new InputError([{ location: { file }, message }]);
  }
  return {
    file,
    absolutePath,
    data,
    locate: (pointer, part = 'value') => locateNode(doc, lineCounter, file, pointer, part),
  };
}

/** Diagnostics in the order of the file: by line, then column (those without a line first). */
export function sortByPosition(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort((a, b) => (a.location.line ?? 0) - (b.location.line ?? 0) || (a.location.column ?? 0) - (b.location.column ?? 0));
}

/** A path for messages: relative to the current directory when it lies below it. */
export function displayPath(absolutePath: string): string {
  const relative = path.relative(process.cwd(), absolutePath);
  const outside = relative === '' || relative.split(path.sep)[0] === '..' || path.isAbsolute(relative);
  return outside ? absolutePath : relative;
}

/** The file's text, refusing it unread when it is too large. */
function readBounded(file: string, absolutePath: string): string {
  const refuse = (message: string): InputError => new InputError([{ location: { file }, message }]);
  let fd: number;
  try {
    fd = fs.openSync(absolutePath, 'r');
  } catch (error) {
    throw refuse(`cannot read: ${describeFsError(error)}`);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (stat.isDirectory()) throw refuse('is a directory; expected a file');
    const tooLarge = `larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB: refused (deployment, matrix and waiver files are small)`;
    if (stat.size > MAX_INPUT_BYTES) throw refuse(tooLarge);
    // Read with a bound too: a pipe or a growing file has no trustworthy size.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(64 * 1024);
      const count = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (count === 0) break;
      total += count;
      if (total > MAX_INPUT_BYTES) throw refuse(tooLarge);
      chunks.push(chunk.subarray(0, count));
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw refuse(`cannot read: ${describeFsError(error)}`);
  } finally {
    fs.closeSync(fd);
  }
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory; expected a file';
  return error instanceof Error ? error.message : String(error);
}

/**
 * The line where flow collections (`[`, `{`) or compact block collections (`- - x`, `? ? x`)
 * nest deeper than MAX_NESTING: a pass of yaml's lexer, which does not recurse, before the
 * parser, which does.
 */
function lineOfExcessiveNesting(text: string): number | undefined {
  let line = 1;
  let flowDepth = 0;
  let compactDepth = 0;
  for (const token of new Lexer().lex(text)) {
    switch (CST.tokenType(token)) {
      case 'flow-seq-start':
      case 'flow-map-start':
        flowDepth++;
        break;
      case 'flow-seq-end':
      case 'flow-map-end':
        flowDepth = Math.max(0, flowDepth - 1);
        break;
      case 'seq-item-ind':
      case 'explicit-key-ind':
        compactDepth++;
        break;
      case 'newline':
        compactDepth = 0;
        break;
    }
    if (flowDepth + compactDepth > MAX_NESTING) return line;
    for (const c of token) if (c === '\n') line++;
  }
  return undefined;
}

/** A JSON pointer's segment for a key: `~` and `/` escaped. */
export function escapePointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function locateNode(doc: Document, lineCounter: LineCounter, file: string, pointer: string, part: 'key' | 'value'): Location {
  const segments =
    pointer === ''
      ? []
      : pointer
          .split('/')
          .slice(1)
          .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: unknown = doc.contents;
  let positioned: unknown = node;
  let key: unknown;
  let complete = true;
  for (const segment of segments) {
    if (isAlias(node)) node = node.resolve(doc);
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment);
      if (pair === undefined) {
        complete = false;
        break;
      }
      key = pair.key;
      next = pair.value;
    } else if (isSeq(node)) {
      next = node.items[Number(segment)];
      key = undefined;
      if (next === undefined) {
        complete = false;
        break;
      }
    } else {
      complete = false;
      break;
    }
    node = next;
    positioned = rangeStart(next) !== undefined ? next : (key ?? positioned);
  }
  const target = complete && part === 'key' && key !== undefined ? key : positioned;
  const offset = rangeStart(target);
  const location: Location = { file };
  if (offset !== undefined) {
    const { line, col } = lineCounter.linePos(offset);
    location.line = line;
    location.column = col;
  }
  if (pointer !== '') location.path = pointer;
  return location;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range?.[0];
}
