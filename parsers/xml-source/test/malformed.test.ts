import { describe, it } from 'node:test';
import { type XmlErrorKind } from '../src';
import { assertRefused } from './helpers';

describe('malformed XML is refused where it goes wrong, saying what was expected', () => {
  const cases: Array<[string, string, XmlErrorKind, number, number, RegExp]> = [
    [
      'a mismatched end tag',
      '<a>\n  <b>\n  </c>\n</a>',
      'malformed',
      3,
      3,
      /^end tag <\/c> where <\/b> \(opened at line 2, column 3\) was expected$/,
    ],
    ['an element left open', '<a>\n<b>\n</b>', 'malformed', 3, 5, /^the document ends inside <a> \(opened at line 1\); expected <\/a>$/],
    ['several elements left open', '<a>\n<b>\n<c>\n', 'malformed', 4, 1, /ends inside <c> \(opened at line 3\); expected <\/c>/],
    ['an end tag with no start tag', '<a></a>\n</b>', 'malformed', 2, 1, /^end tag <\/b> closes no open element/],
    ['a second root element', '<a/>\n<b/>', 'malformed', 2, 1, /^second root element <b>; expected a single root element$/],
    ['text after the root', '<a/>\nxyz', 'malformed', 2, 1, /^text outside the root element/],
    ['text before the root', 'xyz<a/>', 'malformed', 1, 1, /^'x' is not expected here/],
    ['an empty document', '', 'malformed', 1, 1, /^no root element; expected one element/],
    ['an attribute without a value', '<a>\n <b c></b></a>', 'malformed', 2, 5, /^attribute c has no value; expected c="…"$/],
    ['an unquoted attribute value', '<a b=c/>', 'malformed', 1, 4, /^attribute b has no quoted value/],
    ["a bare '&' in text", '<a>\n fish & chips</a>', 'malformed', 2, 7, /^'&' is not expected here; expected .*&amp;/],
    ["a bare '&' in an attribute", '<a b="fish & chips"/>', 'reference', 1, 12, /^'&' that starts no reference; expected &amp;/],
    ["'<' in an attribute", '<a b="x<y"/>', 'malformed', 1, 8, /^'<' in attribute b's value; expected &lt;$/],
    ['a repeated attribute', '<a b="1" b="2"/>', 'malformed', 1, 10, /^attribute b is repeated/],
    ['an invalid element name', '<a>\n<1b/></a>', 'malformed', 2, 4, /^'1b' is not an element name/],
    ['an unclosed comment', '<a><!-- x </a>', 'malformed', 1, 4, /^comment is not closed; expected '-->'$/],
    ['an unclosed CDATA section', '<a>\n<![CDATA[ x </a>', 'malformed', 2, 1, /^CDATA section is not closed; expected '\]\]>'$/],
    ['an unclosed start tag', '<a\n', 'malformed', 1, 1, /^start tag <a> is not closed; expected '>'$/],
    ['an unclosed end tag', '<a></a', 'malformed', 1, 7, /^end tag <\/a> is not closed; expected '>'$/],
    ['a NUL character in text', '<a>\n x\u0000y</a>', 'malformed', 2, 3, /^character U\+0000 is not allowed in XML; expected text/],
    ['an escape character in an attribute', '<a b="\u001b[0m"/>', 'malformed', 1, 7, /^character U\+001B is not allowed in XML/],
    ['a non-character', '<a>\uffff</a>', 'malformed', 1, 4, /^character U\+FFFF is not allowed in XML/],
    ['a character reference to NUL', '<a>&#0;</a>', 'reference', 1, 4, /^character reference &#0; is not an XML character/],
    ['an undefined entity', '<a>\n  &nbsp;</a>', 'reference', 2, 3, /^undefined entity &nbsp;/],
    [
      'an undeclared element prefix',
      '<a>\n<q:b/></a>',
      'namespace',
      2,
      1,
      /^prefix q of <q:b> is not declared; expected an xmlns:q attribute/,
    ],
    ['an undeclared attribute prefix', '<a p:x="1"/>', 'namespace', 1, 1, /^prefix p of attribute p:x in <a> is not declared/],
    ['a name with two colons', '<a:b:c xmlns:a="urn:a"/>', 'namespace', 1, 1, /^element name a:b:c is not a qualified name/],
    ['an undeclared prefix binding', '<a xmlns:p=""/>', 'namespace', 1, 1, /cannot undeclare a prefix/],
  ];
  for (const [what, text, kind, line, column, expected] of cases) {
    it(what, () => {
      assertRefused(text, kind, line, column, expected);
    });
  }
});
