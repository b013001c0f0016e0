import { type Fail, skipBareDoctype } from './doctype';
import { ElementNode } from './element';
import { type XmlErrorKind, XmlSyntaxError } from './errors';
import { ROOT_SCOPE, scopeWith, splitQualifiedName } from './namespaces';
import { LineCursor } from './positions';
import { BadReference, decodeReferences } from './references';

/** How much of a document is read before it is refused. */
export interface XmlLimits {
  /** Characters (after a byte-order mark). */
  maxLength: number;
  /** Elements nested inside each other, the root counting as 1. */
  maxDepth: number;
  /** Elements in the whole document. */
  maxElements: number;
}

const EMPTY_ATTRIBUTES: ReadonlyMap<string, string> = new Map();

/** An element whose end tag has not been read yet. */
interface OpenElement {
  element: ElementNode;
  /** How many children of each name it has so far, for their paths. */
  childNames: Map<string, number> | undefined;
  /** Its text so far, joined when it closes (appending to a string as it comes would keep every piece). */
  textPieces: string[] | undefined;
  /** Its first piece of text: most elements have one, and need no array. */
  firstText: string | undefined;
}

/** Past this many distinct strings, a document's names and indentation are no longer shared. */
const MOST_SHARED_STRINGS = 10_000;
const LONGEST_SHARED_STRING = 256;

/**
 * Element names and the indentation between elements repeat throughout a document; keeping one
 * copy of each instead of a slice per element halves the memory a large document takes.
 */
class StringPool {
  private readonly strings = new Map<string, string>();

  share(value: string): string {
    if (value.length > LONGEST_SHARED_STRING) return value;
    const shared = this.strings.get(value);
    if (shared !== undefined) return shared;
    if (this.strings.size < MOST_SHARED_STRINGS) this.strings.set(value, value);
    return value;
  }
}

const isSpace = (code: number): boolean => code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;

/** Character data's line ends, as XML hands them to applications: CRLF and CR become LF. */
const normalizeLineEnds = (literal: string): string => (literal.includes('\r') ? literal.replace(/\r\n?/g, '\n') : literal);

/** An attribute value's literal whitespace, as XML normalizes it: each line end or tab becomes a space. */
const normalizeAttributeSpace = (literal: string): string => literal.replace(/\r\n|[\t\n\r]/g, ' ');

/**
 * Builds the element tree of a document in one forward pass. The document has passed the
 * well-formedness check already; what that check does not cover (references, namespaces, limits,
 * DOCTYPE placement) is checked here, and anything unexpected still stops with a located error.
 */
export class TreeBuilder {
  private readonly cursor: LineCursor;
  private readonly open: OpenElement[] = [];
  private root: ElementNode | undefined;
  private elementCount = 0;
  private readonly pool = new StringPool();

  constructor(
    private readonly text: string,
    private readonly limits: XmlLimits,
  ) {
    this.cursor = new LineCursor(text);
  }

  readonly fail: Fail = (kind: XmlErrorKind, offset: number, message: string): never => {
    const { line, column } = this.cursor.at(offset);
    throw new XmlSyntaxError(kind, line, column, message);
  };

  build(): { root: ElementNode; elementCount: number } {
    const text = this.text;
    let offset = 0;
    while (offset < text.length) {
      const markup = text.indexOf('<', offset);
      const textEnd = markup === -1 ? text.length : markup;
      if (textEnd > offset) this.characterData(offset, textEnd);
      if (markup === -1) break;
      offset = this.markup(markup);
    }
    return this.finish();
  }

  private markup(start: number): number {
    const text = this.text;
    const next = text.charCodeAt(start + 1);
    if (next === 0x2f) return this.endTag(start);
    if (next === 0x3f) return this.pastEnd(start, '<?'.length, '?>', 'processing instruction is not closed');
    if (next !== 0x21) return this.startTag(start);
    if (text.startsWith('<!--', start)) return this.pastEnd(start, '<!--'.length, '-->', 'comment is not closed');
    if (text.startsWith('<![CDATA[', start)) return this.cdata(start);
    if (text.startsWith('<!DOCTYPE', start)) {
      if (this.root !== undefined)
        this.fail('doctype', start, 'DOCTYPE after the root element began; expected it only before the root element');
      return skipBareDoctype(text, start, this.fail);
    }
    return this.fail('malformed', start, "'<!' that starts no comment, CDATA section or DOCTYPE; expected <!-- or <![CDATA[");
  }

  /** The offset after the `terminator` that ends the markup at `start` whose opening is `openingLength` long. */
  private pastEnd(start: number, openingLength: number, terminator: string, problem: string): number {
    const end = this.text.indexOf(terminator, start + openingLength);
    if (end === -1) this.fail('malformed', start, `${problem}; expected '${terminator}'`);
    return end + terminator.length;
  }

  private current(): OpenElement | undefined {
    return this.open[this.open.length - 1];
  }

  private characterData(start: number, end: number): void {
    const raw = this.text.slice(start, end);
    const current = this.current();
    if (current === undefined) {
      for (let index = 0; index < raw.length; index++) {
        if (!isSpace(raw.charCodeAt(index))) {
          this.fail(
            'malformed',
            start + index,
            'text outside the root element; expected only whitespace, comments and processing instructions there',
          );
        }
      }
      return;
    }
    this.appendText(current, this.decode(raw, start, normalizeLineEnds));
  }

  private appendText(element: OpenElement, text: string): void {
    if (element.firstText === undefined) element.firstText = text;
    else if (element.textPieces === undefined) element.textPieces = [element.firstText, text];
    else element.textPieces.push(text);
  }

  private cdata(start: number): number {
    const contentStart = start + '<![CDATA['.length;
    const end = this.text.indexOf(']]>', contentStart);
    if (end === -1) this.fail('malformed', start, "CDATA section is not closed; expected ']]>'");
    const current = this.current();
    if (current === undefined) this.fail('malformed', start, 'CDATA section outside the root element; expected it inside an element');
    this.appendText(current, normalizeLineEnds(this.text.slice(contentStart, end)));
    return end + 3;
  }

  private decode(raw: string, rawStart: number, literal: (text: string) => string): string {
    try {
      return decodeReferences(raw, literal);
    } catch (error) {
      if (error instanceof BadReference) this.fail('reference', rawStart + error.offset, error.message);
      throw error;
    }
  }

  /** The offset where a name starting at `start` ends. */
  private nameEnd(start: number): number {
    const text = this.text;
    let index = start;
    for (; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (isSpace(code) || code === 0x3e /* > */ || code === 0x2f /* / */ || code === 0x3d /* = */) break;
    }
    return index;
  }

  private skipSpace(start: number): number {
    let index = start;
    while (index < this.text.length && isSpace(this.text.charCodeAt(index))) index++;
    return index;
  }

  private startTag(start: number): number {
    const text = this.text;
    const nameEnd = this.nameEnd(start + 1);
    const name = this.pool.share(text.slice(start + 1, nameEnd));
    if (name === '') this.fail('malformed', start, "'<' that starts no tag; expected an element name, or &lt; for a literal '<'");
    let attributes: Map<string, string> | undefined;
    let offset = nameEnd;
    for (;;) {
      const next = this.skipSpace(offset);
      const code = text.charCodeAt(next);
      if (code === 0x3e) return this.openElement(start, name, attributes, false, next + 1);
      if (code === 0x2f && text.charCodeAt(next + 1) === 0x3e) return this.openElement(start, name, attributes, true, next + 2);
      if (next >= text.length) this.fail('malformed', start, `start tag <${name}> is not closed; expected '>'`);
      if (next === offset) this.fail('malformed', next, `expected whitespace, '>' or '/>' after <${name}`);
      attributes ??= new Map();
      offset = this.attribute(next, name, attributes);
    }
  }

  /** Reads `name="value"` at `start` into `attributes`; returns the offset after it. */
  private attribute(start: number, elementName: string, attributes: Map<string, string>): number {
    const text = this.text;
    const nameEnd = this.nameEnd(start);
    const name = this.pool.share(text.slice(start, nameEnd));
    if (name === '') this.fail('malformed', start, `expected an attribute name, '>' or '/>' in <${elementName}>`);
    const equals = this.skipSpace(nameEnd);
    if (text[equals] !== '=') this.fail('malformed', equals, `attribute ${name} has no value; expected ${name}="…"`);
    const open = this.skipSpace(equals + 1);
    const quote = text[open];
    if (quote !== '"' && quote !== "'") this.fail('malformed', open, `attribute ${name}'s value is not quoted; expected " or '`);
    const close = text.indexOf(quote, open + 1);
    if (close === -1) this.fail('malformed', open, `attribute ${name}'s value is not closed; expected ${quote}`);
    const raw = text.slice(open + 1, close);
    const lessThan = raw.indexOf('<');
    if (lessThan !== -1) this.fail('malformed', open + 1 + lessThan, `'<' in attribute ${name}'s value; expected &lt;`);
    if (attributes.has(name))
      this.fail('malformed', start, `attribute ${name} is repeated in <${elementName}>; expected each attribute once`);
    attributes.set(name, this.decode(raw, open + 1, normalizeAttributeSpace));
    return close + 1;
  }

  private openElement(start: number, name: string, attributes: Map<string, string> | undefined, empty: boolean, end: number): number {
    const parent = this.current();
    if (parent === undefined && this.root !== undefined) {
      this.fail('malformed', start, `second root element <${name}>; expected a single root element`);
    }
    if (this.open.length >= this.limits.maxDepth) {
      this.fail('too-deep', start, `<${name}> is nested ${this.open.length + 1} elements deep; expected at most ${this.limits.maxDepth}`);
    }
    if (++this.elementCount > this.limits.maxElements) {
      this.fail(
        'too-many-elements',
        start,
        `<${name}> is element number ${this.elementCount}; expected at most ${this.limits.maxElements} elements`,
      );
    }
    const element = this.createElement(start, name, attributes ?? EMPTY_ATTRIBUTES, parent?.element);
    if (parent === undefined) {
      this.root = element;
    } else {
      parent.childNames ??= new Map();
      element.siblingPosition = (parent.childNames.get(name) ?? 0) + 1;
      parent.childNames.set(name, element.siblingPosition);
      parent.element.appendChild(element);
    }
    if (!empty) this.open.push({ element, childNames: undefined, textPieces: undefined, firstText: undefined });
    return end;
  }

  private createElement(
    start: number,
    name: string,
    attributes: ReadonlyMap<string, string>,
    parent: ElementNode | undefined,
  ): ElementNode {
    const scope = scopeWith(parent?.namespaces ?? ROOT_SCOPE, attributes);
    if (typeof scope === 'string') this.fail('namespace', start, scope);
    const parts = splitQualifiedName(name);
    if (parts === undefined)
      this.fail(
        'namespace',
        start,
        `element name ${name} is not a qualified name; expected at most one ':' between a prefix and a local name`,
      );
    const namespace = scope.get(parts.prefix ?? '');
    if (parts.prefix !== undefined && namespace === undefined) {
      this.fail(
        'namespace',
        start,
        `prefix ${parts.prefix} of <${name}> is not declared; expected an xmlns:${parts.prefix} attribute here or on an ancestor`,
      );
    }
    for (const attributeName of attributes.keys()) this.checkAttributePrefix(start, name, attributeName, scope);
    const { line, column } = this.cursor.at(start);
    const localName = this.pool.share(parts.localName);
    return new ElementNode(name, localName, parts.prefix, namespace, attributes, line, column, parent, scope);
  }

  private checkAttributePrefix(start: number, elementName: string, attributeName: string, scope: ReadonlyMap<string, string>): void {
    const parts = splitQualifiedName(attributeName);
    if (parts === undefined) {
      this.fail(
        'namespace',
        start,
        `attribute name ${attributeName} in <${elementName}> is not a qualified name; expected at most one ':'`,
      );
    }
    if (parts.prefix !== undefined && parts.prefix !== 'xmlns' && !scope.has(parts.prefix)) {
      this.fail(
        'namespace',
        start,
        `prefix ${parts.prefix} of attribute ${attributeName} in <${elementName}> is not declared; expected an xmlns:${parts.prefix} declaration in scope`,
      );
    }
  }

  private endTag(start: number): number {
    const end = this.text.indexOf('>', start + 2);
    if (end === -1) this.fail('malformed', start, "end tag is not closed; expected '>'");
    const name = this.text.slice(start + 2, end).trimEnd();
    const closing = this.open.pop();
    if (closing === undefined) this.fail('malformed', start, `end tag </${name}> closes no open element; expected a start tag first`);
    const expected = closing.element;
    if (expected.name !== name) {
      this.fail('malformed', start, `end tag </${name}> where </${expected.name}> (for line ${expected.line}) was expected`);
    }
    if (closing.childNames !== undefined) this.settleSiblingPositions(closing);
    const text = closing.textPieces === undefined ? closing.firstText : closing.textPieces.join('');
    // The text between child elements is indentation, the same throughout a document: share it.
    if (text !== undefined) expected.text = expected.children.length > 0 ? this.pool.share(text) : text;
    return end + 1;
  }

  /** A child that is the only one of its name gets a path step without an index. */
  private settleSiblingPositions(closing: OpenElement): void {
    const childNames = closing.childNames!;
    for (const child of closing.element.children as ElementNode[]) {
      if (childNames.get(child.name) === 1) child.siblingPosition = 0;
    }
  }

  private finish(): { root: ElementNode; elementCount: number } {
    const unclosed = this.current();
    if (unclosed !== undefined) {
      const { name, line } = unclosed.element;
      this.fail('malformed', this.text.length, `the document ends inside <${name}> (opened at line ${line}); expected </${name}>`);
    }
    if (this.root === undefined) this.fail('malformed', this.text.length, 'no root element; expected one element holding the document');
    return { root: this.root, elementCount: this.elementCount };
  }
}
