import { XMLValidator } from 'fast-xml-parser';
import { TreeBuilder, type XmlLimits } from './builder';
import { refuseHostileDoctype, type Fail } from './doctype';
import { type XmlElement } from './element';
import { XmlSyntaxError } from './errors';

/**
 * Generous for real files (a pfSense backup with its RRD data is a few MB; 100,000 rules as the
 * GUI writes them, 28 elements each, are 90 MB and 2.8 million elements) while bounding time and
 * memory: an element costs about 200 bytes, so 8 million elements stay under 2 GB.
 */
export const DEFAULT_LIMITS: Readonly<XmlLimits> = Object.freeze({ maxLength: 256 * 1024 * 1024, maxDepth: 256, maxElements: 8_000_000 });

export interface XmlDocument {
  root: XmlElement;
  /** Elements in the document, the root included. */
  elementCount: number;
}

/** fast-xml-parser's messages, said as "what was found; what was expected". */
const VALIDATOR_MESSAGES: ReadonlyArray<[RegExp, (...groups: string[]) => string]> = [
  [/^Unclosed tag '(.*)'\.$/, (name) => `<${name}> is never closed; expected </${name}>`],
  [
    /^Expected closing tag '(.*)' \(opened in line (\d+), col (\d+)\) instead of closing tag '(.*)'\.$/,
    (open, line, column, close) => `end tag </${close}> where </${open}> (opened at line ${line}, column ${column}) was expected`,
  ],
  [/^Closing tag '(.*)' doesn't have proper closing\.$/, (name) => `end tag </${name}> is not closed; expected '>'`],
  [/^Tag '(.*)' is an invalid name\.$/, (name) => `'${name}' is not an element name; expected a name starting with a letter, '_' or ':'`],
  [
    /^Attribute '(.*)' is an invalid name\.$/,
    (name) => `'${name}' is not an attribute name; expected a name starting with a letter, '_' or ':'`,
  ],
  [/^Attribute '(.*)' is without value\.$/, (name) => `attribute ${name} has no quoted value; expected ${name}="…"`],
  [/^Attributes for '(.*)' have open quote\.$/, (name) => `an attribute value in <${name}> is not closed; expected its closing quote`],
  [/^Attribute '(.*)' is repeated\.$/, (name) => `attribute ${name} is repeated; expected each attribute once`],
  [/^Attribute '(.*)' has no space in starting\.$/, (name) => `no space before attribute ${name}; expected whitespace between attributes`],
  [/^Closing tag '(.*)' has not been opened\.$/, (name) => `end tag </${name}> closes no open element; expected a start tag first`],
  [/^Multiple possible root nodes found\.$/, () => 'a second root element; expected a single root element'],
  [/^Extra text at the end$/, () => 'text after the root element; expected only whitespace, comments and processing instructions there'],
  [/^Start tag expected\.$/, () => 'no root element; expected one element holding the document'],
  [
    /^char '(.)' is not expected\.$/,
    (char) => `'${char}' is not expected here; expected markup, or a reference such as &amp; for a literal '&'`,
  ],
  [/^boolean attribute '(.*)' is not allowed\.$/, (name) => `attribute ${name} has no value; expected ${name}="…"`],
];

function sayWhatWasExpected(message: string): string {
  for (const [pattern, rephrase] of VALIDATOR_MESSAGES) {
    const match = pattern.exec(message);
    if (match) return rephrase(...match.slice(1));
  }
  return `${message.replace(/\.$/, '')}; expected well-formed XML`;
}

/** Characters XML 1.0 does not allow anywhere (§2.2): controls but tab, line feed and carriage return, and U+FFFE/U+FFFF. */
// eslint-disable-next-line no-control-regex -- matching control characters is its purpose
const FORBIDDEN_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

/** A document holding one is not XML: the firewall's own reader would refuse it too. */
function refuseForbiddenCharacters(text: string, fail: Fail): void {
  const at = text.search(FORBIDDEN_CHARACTER);
  if (at < 0) return;
  const code = text.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0');
  fail('malformed', at, `character U+${code} is not allowed in XML; expected text without control characters`);
}

/**
 * Reads an XML document (a string: the caller has decoded its bytes) into an element tree where
 * every element knows its line, column and path. Refuses, with an XmlSyntaxError at the place:
 * malformed XML, a DOCTYPE that declares entities or names an external DTD (nothing is expanded,
 * nothing is read), undefined entities, undeclared namespace prefixes, and documents beyond
 * `limits`.
 */
export function parseXml(text: string, limits: Partial<XmlLimits> = {}): XmlDocument {
  const effective: XmlLimits = { ...DEFAULT_LIMITS, ...limits };
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.length > effective.maxLength) {
    throw new XmlSyntaxError('too-large', 1, 1, `the document has ${body.length} characters; expected at most ${effective.maxLength}`);
  }
  const builder = new TreeBuilder(body, effective);
  refuseHostileDoctype(body, builder.fail);
  refuseForbiddenCharacters(body, builder.fail);
  const verdict = XMLValidator.validate(body);
  if (verdict !== true) {
    // Where the validator only sees elements left open (after an unclosed comment, CDATA section or
    // tag, it reads to the end), the builder names what was left open first, and where.
    if (/^(Invalid '\[|Unclosed tag )/.test(verdict.err.msg)) builder.build();
    throw new XmlSyntaxError('malformed', verdict.err.line, verdict.err.col ?? 1, sayWhatWasExpected(verdict.err.msg));
  }
  return builder.build();
}
