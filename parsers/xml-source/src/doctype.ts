import { type XmlErrorKind } from './errors';

/** Stops reading: throws an XmlSyntaxError located at `offset`. */
export type Fail = (kind: XmlErrorKind, offset: number, message: string) => never;

const DOCTYPE_OPEN = '<!DOCTYPE';

const INTERNAL_SUBSET_REFUSED =
  'DOCTYPE with an internal subset ([…]) is refused: declared entities are never expanded; expected the root element, or a DOCTYPE naming only the root element';
const EXTERNAL_ID_REFUSED =
  'DOCTYPE naming an external file (SYSTEM or PUBLIC) is refused: nothing the document names is ever read; expected the root element, or a DOCTYPE naming only the root element';

/**
 * The offset just past the DOCTYPE declaration at `start`, which must be a bare `<!DOCTYPE name>`.
 * One that declares anything (an internal subset, where entities live) or names an external DTD
 * is refused: this reader never expands a declared entity and never opens a file or URL.
 */
export function skipBareDoctype(text: string, start: number, fail: Fail): number {
  for (let index = start + DOCTYPE_OPEN.length; index < text.length; index++) {
    const char = text[index];
    if (char === '[') fail('doctype', start, INTERNAL_SUBSET_REFUSED);
    // Only an external identifier's literals are quoted in a DOCTYPE without an internal subset.
    if (char === '"' || char === "'") fail('doctype', start, EXTERNAL_ID_REFUSED);
    if (char === '>') {
      if (/\b(SYSTEM|PUBLIC)\b/.test(text.slice(start + DOCTYPE_OPEN.length, index))) fail('doctype', start, EXTERNAL_ID_REFUSED);
      return index + 1;
    }
  }
  return fail('malformed', start, "DOCTYPE declaration is not closed; expected '>'");
}

/**
 * Refuses a hostile DOCTYPE in the prolog (what comes before the root element) before anything else
 * reads the document, so no other reader ever sees its declarations.
 */
export function refuseHostileDoctype(text: string, fail: Fail): void {
  let index = 0;
  while (index < text.length) {
    while (index < text.length && ' \t\r\n'.includes(text[index])) index++;
    if (text.startsWith(DOCTYPE_OPEN, index)) index = skipBareDoctype(text, index, fail);
    else if (text.startsWith('<?', index)) index = pastEnd(text, '?>', index + 2);
    else if (text.startsWith('<!--', index)) index = pastEnd(text, '-->', index + 4);
    else return;
  }
}

/** The offset just past the next `terminator` from `from`, or the end of the text when there is none (the well-formedness check reports that). */
function pastEnd(text: string, terminator: string, from: number): number {
  const found = text.indexOf(terminator, from);
  return found === -1 ? text.length : found + terminator.length;
}
