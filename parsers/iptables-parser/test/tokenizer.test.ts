import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IptablesSyntaxError } from '../src';
import { tokenize } from '../src/tokenizer';

const values = (text: string): string[] => tokenize(text, 1, 1).map((token) => token.value);

describe('tokenize (iptables-restore word splitting)', () => {
  it('splits on runs of spaces and tabs', () => {
    assert.deepEqual(values('  -A\tINPUT   -j  ACCEPT '), ['-A', 'INPUT', '-j', 'ACCEPT']);
  });

  it('groups quoted words and marks them quoted', () => {
    const tokens = tokenize('--comment "has space" x', 1, 1);
    assert.deepEqual(
      tokens.map(({ value, quoted, raw, column }) => ({ value, quoted, raw, column })),
      [
        { value: '--comment', quoted: false, raw: '--comment', column: 1 },
        { value: 'has space', quoted: true, raw: '"has space"', column: 11 },
        { value: 'x', quoted: false, raw: 'x', column: 23 },
      ],
    );
  });

  it('reads \\" as a quote and \\\\ as a backslash inside quotes', () => {
    assert.deepEqual(values('"\\""'), ['"']);
    assert.deepEqual(values('"a\\"b\\\\c"'), ['a"b\\c']);
    assert.deepEqual(values('"\\x"'), ['x']);
  });

  it('keeps a backslash outside quotes', () => {
    assert.deepEqual(values('a\\b c\\'), ['a\\b', 'c\\']);
  });

  it('keeps special characters inside quotes', () => {
    assert.deepEqual(values('--log-prefix "!#*~%&/()=?"'), ['--log-prefix', '!#*~%&/()=?']);
  });

  it('ends the word at the closing quote, as iptables-restore does', () => {
    assert.deepEqual(values('"x"y'), ['x', 'y']);
    assert.deepEqual(values('ab"cd ef"gh'), ['abcd ef', 'gh']);
  });

  it('gives an empty word for ""', () => {
    const [token] = tokenize('""', 1, 1);
    assert.deepEqual(token, { value: '', quoted: true, raw: '""', column: 1 });
  });

  it('counts columns from the given first column', () => {
    assert.deepEqual(
      tokenize('-s x', 7, 10).map((token) => token.column),
      [10, 13],
    );
  });

  it('reports an unterminated quote at the opening quote', () => {
    assert.throws(
      () => tokenize('-m comment --comment "abc -j ACCEPT', 4, 3),
      (error: unknown) => error instanceof IptablesSyntaxError && error.line === 4 && error.column === 24,
    );
  });
});
