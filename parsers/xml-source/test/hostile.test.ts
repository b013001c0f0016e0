import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS, parseXml } from '../src';
import { assertRefused } from './helpers';

const BILLION_LAUGHS = [
  '<?xml version="1.0"?>',
  '<!DOCTYPE lolz [',
  ' <!ENTITY lol "lol">',
  ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">',
  ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">',
  ' <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">',
  ']>',
  '<lolz>&lol9;</lolz>',
].join('\n');

describe('hostile documents', () => {
  it('refuses entity expansion (billion laughs) at the DOCTYPE, expanding nothing', () => {
    assertRefused(BILLION_LAUGHS, 'doctype', 2, 1, /^DOCTYPE with an internal subset .* refused: declared entities are never expanded/);
  });

  it('refuses external entities and external DTDs, reading no file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'xml-source-'));
    try {
      const secret = path.join(dir, 'secret.txt');
      writeFileSync(secret, 'SECRET-CONTENT');
      const external = `<?xml version="1.0"?>\n<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file://${secret}"> ]>\n<foo>&xxe;</foo>`;
      const error = assertRefused(external, 'doctype', 2, 1, /internal subset/);
      assert.doesNotMatch(error.message, /SECRET-CONTENT/);
      assertRefused(
        `<!DOCTYPE foo SYSTEM "file://${secret}">\n<foo/>`,
        'doctype',
        1,
        1,
        /external file \(SYSTEM or PUBLIC\) is refused: nothing .* is ever read/,
      );
      assertRefused(
        '<!-- a -->\n<!DOCTYPE foo PUBLIC "-//A//DTD B//EN" "http://192.0.2.1/b.dtd">\n<foo/>',
        'doctype',
        2,
        1,
        /SYSTEM or PUBLIC/,
      );
      assertRefused('<!DOCTYPE foo [ <!ENTITY % p SYSTEM "http://192.0.2.1/x"> %p; ]>\n<foo/>', 'doctype', 1, 1, /internal subset/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a DOCTYPE anywhere after the root element began', () => {
    assertRefused('<a>\n<!DOCTYPE a [ <!ENTITY x "y"> ]>\n</a>', 'doctype', 2, 1, /^DOCTYPE after the root element began/);
  });

  it('never expands an entity a DOCTYPE would have declared', () => {
    assertRefused('<a>&lol9;</a>', 'reference', 1, 4, /^undefined entity &lol9; \(declared entities are never expanded\)/);
  });

  it('refuses nesting deeper than maxDepth at the element that goes too deep, quickly', () => {
    const depth = 100_000;
    const deep = '<a>\n'.repeat(depth) + '</a>\n'.repeat(depth);
    const started = Date.now();
    assertRefused(
      deep,
      'too-deep',
      DEFAULT_LIMITS.maxDepth + 1,
      1,
      new RegExp(`^<a> is nested ${DEFAULT_LIMITS.maxDepth + 1} elements deep; expected at most ${DEFAULT_LIMITS.maxDepth}$`),
    );
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    assert.throws(() => parseXml('<a><b><c/></b></a>', { maxDepth: 2 }), /line 1:7: <c> is nested 3 elements deep/);
    assert.equal(parseXml('<a><b><c/></b></a>', { maxDepth: 3 }).elementCount, 3);
  });

  it('refuses more elements than maxElements, and text longer than maxLength', () => {
    assert.throws(
      () => parseXml('<a>\n<b/>\n<b/>\n</a>', { maxElements: 2 }),
      /^XmlSyntaxError: line 3:1: <b> is element number 3; expected at most 2 elements$/,
    );
    assert.throws(
      () => parseXml('<a>12345</a>', { maxLength: 11 }),
      /^XmlSyntaxError: line 1:1: the document has 12 characters; expected at most 11$/,
    );
    assert.equal(parseXml('<a>12345</a>', { maxLength: 12 }).root.text, '12345');
  });

  it('refuses a document beyond the default length at once, without reading it', () => {
    const huge = '<a>' + ' '.repeat(DEFAULT_LIMITS.maxLength) + '</a>';
    // Reading a character flattens the concatenation before the clock starts: what is timed is the
    // parser's refusal, not V8 copying the string.
    assert.equal(huge.charCodeAt(huge.length - 1), 62);
    const started = Date.now();
    assert.throws(
      () => parseXml(huge),
      (error: Error & { kind?: string }) => error.kind === 'too-large',
    );
    assert.ok(Date.now() - started < 1000);
  });

  it('reads a long run of attributes, spaces and unclosed quotes in linear time', () => {
    const started = Date.now();
    assertRefused(
      `<a b="${'x'.repeat(2_000_000)}`,
      'malformed',
      1,
      3,
      /^an attribute value in <a> is not closed; expected its closing quote$/,
    );
    assertRefused(`<a${' '.repeat(2_000_000)}`, 'malformed', 1, 1, /not closed/);
    const attributes = Array.from({ length: 20_000 }, (_, index) => `a${index}="${index}"`).join(' ');
    assert.equal(parseXml(`<r ${attributes}/>`).root.attributes.size, 20_000);
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  });
});
