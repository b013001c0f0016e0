import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type ParseWarning, WindowsFirewallSyntaxError, parseRuleString } from '../src';
import type { FirewallRule } from '../src';

/** The repository root: the nearest folder above this file with a package.json and `parsers/` (so dist/ does not count). */
function findRepoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'parsers')) && existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no parsers/ folder above ${__dirname}`);
  }
}

/** The real Windows exports the repository keeps (fixtures/real/SOURCES.md says where each comes from). */
export const REAL_WINDOWS_DIR = path.resolve(findRepoRoot(), 'fixtures', 'real', 'windows');

export function readRealBytes(fileName: string): Buffer {
  return readFileSync(path.join(REAL_WINDOWS_DIR, fileName));
}

/** A real export's text: they are UTF-16LE with a byte-order mark, as Windows writes them. */
export function readRealText(fileName: string): string {
  const bytes = readRealBytes(fileName);
  assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xfe], `${fileName} starts with a UTF-16LE byte-order mark`);
  return bytes.subarray(2).toString('utf16le');
}

/** Parses one rule string on line 1, returning the rule and the warnings. */
export function parseRule(text: string): { rule: FirewallRule; warnings: ParseWarning[] } {
  const warnings: ParseWarning[] = [];
  return { rule: parseRuleString(text, { line: 1 }, warnings), warnings };
}

/** Asserts that `parse` fails at `line` (and `column`, when given) with a message matching `pattern`. */
export function assertSyntaxError(parse: () => unknown, line: number, column: number | undefined, pattern: RegExp): void {
  assert.throws(parse, (error: unknown) => {
    assert.ok(error instanceof WindowsFirewallSyntaxError, `expected WindowsFirewallSyntaxError, got ${String(error)}`);
    assert.equal(error.line, line, `line of "${error.message}"`);
    if (column !== undefined) assert.equal(error.column, column, `column of "${error.message}"`);
    assert.match(error.expected, pattern);
    return true;
  });
}

/** Asserts a rule string is refused at `column` of line 1. */
export function assertRuleError(text: string, column: number, pattern: RegExp): void {
  assertSyntaxError(() => parseRule(text), 1, column, pattern);
}
