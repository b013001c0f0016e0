/**
 * Input errors: what the user gave could not be used (exit code 2). Every problem is a located
 * diagnostic, so that the message names the file, the line (or a path inside the document) and
 * what was expected.
 */

export interface Location {
  file: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  column?: number;
  /** Where inside the document: a JSON pointer (`/firewalls/1/placement`) or an XML path. */
  path?: string;
}

export interface Diagnostic {
  location: Location;
  /** What was expected, or what is wrong. */
  message: string;
}

/** `file:line:column: at /path: message`, leaving out the parts the location does not have. */
export function formatDiagnostic(d: Diagnostic): string {
  const { file, line, column, path } = d.location;
  const position = line === undefined ? '' : column === undefined ? `:${line}` : `:${line}:${column}`;
  const where = path ? `at ${path}: ` : '';
  return `${file}${position}: ${where}${d.message}`;
}

export class InputError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'InputError';
  }
}
