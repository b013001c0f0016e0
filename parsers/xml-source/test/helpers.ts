import assert from 'node:assert/strict';
import { type XmlErrorKind, XmlSyntaxError, parseXml } from '../src';

/** Asserts that reading `text` fails with this kind, at this line and column, saying this. */
export function assertRefused(text: string, kind: XmlErrorKind, line: number, column: number, expected: RegExp): XmlSyntaxError {
  let caught: unknown;
  try {
    parseXml(text);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof XmlSyntaxError, `expected an XmlSyntaxError, got ${String(caught)}`);
  assert.deepEqual([caught.kind, caught.line, caught.column], [kind, line, column], caught.message);
  assert.match(caught.expected, expected);
  assert.equal(caught.message, `line ${line}:${column}: ${caught.expected}`);
  return caught;
}
