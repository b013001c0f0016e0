import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type XmlElement, XmlSyntaxError, parseXml } from '../src';

/*
 * Random element trees are written out as XML in varied but equivalent ways (line-end style,
 * entity or character references or CDATA, either quote, comments, a prolog), read back, and
 * compared with the tree they were written from: names, namespaces, attributes, text, and the
 * line, column and path of every element, computed independently of the reader.
 */

const NAMESPACES: ReadonlyMap<string, string> = new Map([
  ['q1', 'urn:firewall'],
  ['q6', 'urn:firewall'],
  ['p', 'urn:other'],
]);

interface TextPiece {
  kind: 'text';
  value: string;
  escaping: 'entities' | 'character-references' | 'cdata';
}
interface Comment {
  kind: 'comment';
  value: string;
}
interface Element {
  kind: 'element';
  prefix: string | undefined;
  localName: string;
  attributes: Array<[string, string]>;
  quote: '"' | "'";
  content: Array<Element | TextPiece | Comment>;
}

const character = fc.constantFrom('a', 'Z', '0', ' ', '\t', '\n', '\r', '&', '<', '>', '"', "'", ']', 'é', '\u{1F600}', ';', '#');
const textValue = fc.string({ unit: character, maxLength: 12 });
const commentValue = fc.string({ unit: fc.constantFrom('a', ' ', '\n', '<', '&', '>'), maxLength: 8 });
const localName = fc.constantFrom('rule', 'filter', 'a', 'b-c', 'x.y', '_u', '__proto__', 'constructor', 'toString', 'Rule', 'é');
const attributeName = fc.constantFrom('id', 'type', '__proto__', 'constructor', 'v', 'q1:id', 'p:id', 'xml:lang');

const textPiece: fc.Arbitrary<TextPiece> = fc.record({
  kind: fc.constant('text' as const),
  value: textValue,
  escaping: fc.constantFrom('entities' as const, 'character-references' as const, 'cdata' as const),
});
const comment: fc.Arbitrary<Comment> = fc.record({ kind: fc.constant('comment' as const), value: commentValue });

const { element } = fc.letrec<{ element: Element }>((tie) => ({
  element: fc.record({
    kind: fc.constant('element' as const),
    prefix: fc.constantFrom(undefined, undefined, 'q1', 'q6', 'p'),
    localName,
    attributes: fc.uniqueArray(fc.tuple(attributeName, textValue), { selector: ([name]) => name, maxLength: 3 }),
    quote: fc.constantFrom('"' as const, "'" as const),
    content: fc.array(
      fc.oneof(
        { maxDepth: 5, depthIdentifier: 'content' },
        { weight: 3, arbitrary: textPiece },
        { weight: 1, arbitrary: comment },
        { weight: 2, arbitrary: tie('element') },
      ),
      { maxLength: 5, depthIdentifier: 'content' },
    ),
  }),
}));

interface Layout {
  newline: '\n' | '\r\n' | '\r';
  declaration: boolean;
  defaultNamespace: string | undefined;
}
const layout: fc.Arbitrary<Layout> = fc.record({
  newline: fc.constantFrom('\n' as const, '\r\n' as const, '\r' as const),
  declaration: fc.boolean(),
  defaultNamespace: fc.constantFrom(undefined, 'urn:default'),
});

/** What the reader must give back for one element. */
interface Expected {
  name: string;
  localName: string;
  prefix: string | undefined;
  namespace: string | undefined;
  attributes: Array<[string, string]>;
  text: string;
  offset: number;
  path: string;
  children: Expected[];
}

function escapeText(piece: TextPiece, newline: string): string {
  if (piece.escaping === 'cdata' && !piece.value.includes('\r') && !piece.value.includes(']]')) {
    return `<![CDATA[${piece.value.replaceAll('\n', newline)}]]>`;
  }
  const references = piece.escaping === 'character-references';
  return [...piece.value]
    .map((char) => {
      if (char === '&') return references ? '&#38;' : '&amp;';
      if (char === '<') return references ? '&#x3C;' : '&lt;';
      if (char === '>') return '&gt;';
      if (char === '\r') return '&#13;';
      if (char === '\n') return newline;
      return char;
    })
    .join('');
}

function escapeAttribute(value: string, quote: string): string {
  const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '\t': '&#9;', '\n': '&#10;', '\r': '&#xD;' };
  return [...value].map((char) => (char === quote ? (quote === '"' ? '&quot;' : '&apos;') : (escapes[char] ?? char))).join('');
}

/** Writes a document, recording where each element's start tag begins. */
function writeDocument(root: Element, form: Layout): { text: string; expected: Expected } {
  let text = form.declaration ? `<?xml version="1.0" encoding="UTF-8"?>${form.newline}<!-- prolog -->${form.newline}` : '';
  const write = (node: Element, parentPath: string, step: string, isRoot: boolean): Expected => {
    const name = node.prefix === undefined ? node.localName : `${node.prefix}:${node.localName}`;
    const attributes: Array<[string, string]> = [...node.attributes];
    if (isRoot) {
      for (const [prefix, uri] of NAMESPACES) attributes.push([`xmlns:${prefix}`, uri]);
      if (form.defaultNamespace !== undefined) attributes.push(['xmlns', form.defaultNamespace]);
    }
    const expected: Expected = {
      name,
      localName: node.localName,
      prefix: node.prefix,
      namespace: node.prefix === undefined ? form.defaultNamespace : NAMESPACES.get(node.prefix),
      attributes,
      text: '',
      offset: text.length,
      path: `${parentPath}/${step}`,
      children: [],
    };
    text += `<${name}`;
    for (const [attribute, value] of attributes)
      text += ` ${attribute}${form.newline}=${node.quote}${escapeAttribute(value, node.quote)}${node.quote}`;
    if (node.content.length === 0) {
      text += form.newline === '\r' ? ' />' : '/>';
      return expected;
    }
    text += '>';
    const counts = new Map<string, number>();
    for (const item of node.content) {
      if (item.kind === 'element') counts.set(qualified(item), (counts.get(qualified(item)) ?? 0) + 1);
    }
    const seen = new Map<string, number>();
    for (const item of node.content) {
      if (item.kind === 'text') {
        text += escapeText(item, form.newline);
        expected.text += item.value;
      } else if (item.kind === 'comment') {
        text += `<!--${item.value.replaceAll('\n', form.newline)}-->`;
      } else {
        const childName = qualified(item);
        const position = (seen.get(childName) ?? 0) + 1;
        seen.set(childName, position);
        const childStep = counts.get(childName) === 1 ? childName : `${childName}[${position}]`;
        expected.children.push(write(item, expected.path, childStep, false));
      }
    }
    text += `</${name}>`;
    return expected;
  };
  const expected = write(root, '', qualified(root), true);
  text += form.newline;
  return { text, expected };
}

function qualified(node: Element): string {
  return node.prefix === undefined ? node.localName : `${node.prefix}:${node.localName}`;
}

/** Line and column of an offset, counted the simplest way, independently of the reader. */
function positionOf(text: string, offset: number): [number, number] {
  const lines = text.slice(0, offset).split(/\r\n|\r|\n/);
  return [lines.length, lines[lines.length - 1].length + 1];
}

function compare(actual: XmlElement, expected: Expected, text: string): void {
  assert.equal(actual.name, expected.name);
  assert.equal(actual.localName, expected.localName);
  assert.equal(actual.prefix, expected.prefix);
  assert.equal(actual.namespace, expected.namespace, expected.path);
  assert.deepEqual([...actual.attributes], expected.attributes, expected.path);
  assert.equal(actual.text, expected.text, expected.path);
  assert.deepEqual([actual.line, actual.column], positionOf(text, expected.offset), expected.path);
  assert.equal(actual.path, expected.path);
  assert.equal(actual.children.length, expected.children.length, expected.path);
  actual.children.forEach((child, index) => {
    assert.equal(child.parent, actual);
    compare(child, expected.children[index], text);
  });
}

describe('written and read back', () => {
  it('keeps every element: names, namespaces, attributes, text, lines, columns and paths', () => {
    fc.assert(
      fc.property(element, layout, (root, form) => {
        const { text, expected } = writeDocument(root, form);
        compare(parseXml(text).root, expected, text);
      }),
      { numRuns: 400 },
    );
  });

  it('refuses every document cut inside its root element with a located XmlSyntaxError', () => {
    fc.assert(
      fc.property(element, layout, fc.nat(), (root, form, cut) => {
        const { text } = writeDocument(root, form);
        const rootEnd = text.trimEnd().length;
        const prefix = text.slice(0, cut % rootEnd);
        try {
          parseXml(prefix);
          assert.fail(`a cut document was read: ${JSON.stringify(prefix)}`);
        } catch (error) {
          assert.ok(error instanceof XmlSyntaxError, String(error));
          const [lastLine] = positionOf(prefix, prefix.length);
          assert.ok(error.line >= 1 && error.line <= lastLine, `${error.message} in ${lastLine} lines`);
          assert.ok(error.column >= 1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('either reads a damaged document or refuses it with an XmlSyntaxError, never anything else', () => {
    const damage = fc.constantFrom('<', '>', '&', '"', "'", '/', '=', ':', '!', '?', '[', ' ', '');
    fc.assert(
      fc.property(element, layout, fc.nat(), damage, (root, form, at, replacement) => {
        const { text } = writeDocument(root, form);
        const index = at % text.length;
        const damaged = text.slice(0, index) + replacement + text.slice(index + 1);
        try {
          parseXml(damaged);
        } catch (error) {
          assert.ok(error instanceof XmlSyntaxError, String(error));
        }
      }),
      { numRuns: 500 },
    );
  });
});
