/** Why a document was not read: broken XML, or XML this reader refuses on purpose. */
export type XmlErrorKind =
  /** Not well-formed XML. */
  | 'malformed'
  /** A DOCTYPE that declares entities or names an external file: refused, never expanded or read. */
  | 'doctype'
  /** An entity or character reference that is not one of XML's own. */
  | 'reference'
  /** A namespace prefix that no xmlns declaration in scope binds, or a bad declaration. */
  | 'namespace'
  /** Longer than the limit (`maxLength`). */
  | 'too-large'
  /** Elements nested deeper than the limit (`maxDepth`). */
  | 'too-deep'
  /** More elements than the limit (`maxElements`). */
  | 'too-many-elements';

/** A document that could not be read, located at the 1-based line and column where reading stopped. */
export class XmlSyntaxError extends Error {
  constructor(
    readonly kind: XmlErrorKind,
    readonly line: number,
    readonly column: number,
    /** What was found and what was expected there, without the location. */
    readonly expected: string,
  ) {
    super(`line ${line}:${column}: ${expected}`);
    this.name = 'XmlSyntaxError';
  }
}
