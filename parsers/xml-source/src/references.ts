/** XML's five predefined entities; no other named entity exists in a document without a DOCTYPE. */
const PREDEFINED_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
]);

/** Longer references than this cannot be predefined entities or valid character references. */
const LONGEST_REFERENCE = 16;

/** A reference that could not be decoded, at `offset` within the decoded string's source. */
export class BadReference {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

/** XML 1.0's Char production: what a character reference may produce. */
function isXmlChar(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

function decodeCharacterReference(body: string): number | undefined {
  const digits = body.startsWith('#x') ? body.slice(2) : body.slice(1);
  const valid = body.startsWith('#x') ? /^[0-9a-fA-F]+$/.test(digits) : /^[0-9]+$/.test(digits);
  if (!valid) return undefined;
  const codePoint = Number.parseInt(digits, body.startsWith('#x') ? 16 : 10);
  return isXmlChar(codePoint) ? codePoint : undefined;
}

const unchanged = (literal: string): string => literal;

/**
 * Replaces the predefined entities (`&lt;` …) and character references (`&#38;`, `&#x26;`) in
 * `raw`, passing the literal text between them through `literal` (XML normalizes line ends and
 * attribute whitespace in literal text only, never in what a reference produces). Anything else
 * after an `&` is an error: entities a DOCTYPE declared are never expanded. Throws a BadReference
 * with the offset of the offending `&` in `raw`.
 */
export function decodeReferences(raw: string, literal: (text: string) => string = unchanged): string {
  let ampersand = raw.indexOf('&');
  if (ampersand === -1) return literal(raw);
  let decoded = '';
  let copiedUpTo = 0;
  while (ampersand !== -1) {
    decoded += literal(raw.slice(copiedUpTo, ampersand));
    const semicolon = raw.indexOf(';', ampersand + 1);
    if (semicolon === -1 || semicolon - ampersand > LONGEST_REFERENCE) {
      throw new BadReference(ampersand, "'&' that starts no reference; expected &amp; for a literal '&'");
    }
    const body = raw.slice(ampersand + 1, semicolon);
    if (body.startsWith('#')) {
      const codePoint = decodeCharacterReference(body);
      if (codePoint === undefined) {
        throw new BadReference(ampersand, `character reference &${body}; is not an XML character; expected &#N; or &#xH; naming one`);
      }
      decoded += String.fromCodePoint(codePoint);
    } else {
      const replacement = PREDEFINED_ENTITIES.get(body);
      if (replacement === undefined) {
        throw new BadReference(
          ampersand,
          `undefined entity &${body}; (declared entities are never expanded); expected &lt; &gt; &amp; &quot; &apos; or a character reference`,
        );
      }
      decoded += replacement;
    }
    copiedUpTo = semicolon + 1;
    ampersand = raw.indexOf('&', copiedUpTo);
  }
  return decoded + literal(raw.slice(copiedUpTo));
}
