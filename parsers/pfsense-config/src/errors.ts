/** A config.xml that cannot be read, located at its line (and column, or XML path, when known). */
export class ConfigSyntaxError extends Error {
  constructor(
    readonly line: number,
    /** What was found and what was expected there, without the location. */
    readonly expected: string,
    readonly path?: string,
    readonly column?: number,
  ) {
    super(`line ${line}${column !== undefined ? `:${column}` : ''}${path !== undefined ? ` (${path})` : ''}: ${expected}`);
    this.name = 'ConfigSyntaxError';
  }
}
