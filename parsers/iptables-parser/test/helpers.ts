import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type Chain, IptablesSyntaxError, type Ruleset, parseIptablesSave } from '../src';

/** The repository root: the nearest folder above this file with a package.json and `parsers/` (so dist/ does not count). */
function findRepoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'parsers')) && existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no parsers/ folder above ${__dirname}`);
  }
}

/** The real iptables dumps the repository keeps (fixtures/real/SOURCES.md says where each comes from). */
export const REAL_CONFIGS_DIR = path.resolve(findRepoRoot(), 'fixtures', 'real', 'iptables');

/** Large real dumps, kept apart so that the engine's tests over every real file stay quick. */
export const LARGE_REAL_CONFIGS_DIR = path.resolve(findRepoRoot(), 'fixtures', 'real', 'iptables-large');

export function readRealConfig(fileName: string, dir = REAL_CONFIGS_DIR): string {
  return readFileSync(path.join(dir, fileName), 'utf8');
}

/** Parses the given lines joined into one file. */
export function parseLines(...lines: string[]): Ruleset {
  return parseIptablesSave(lines.join('\n') + '\n');
}

/** Parses a filter table holding the given lines. */
export function parseFilter(...lines: string[]): Ruleset {
  return parseLines('*filter', ...lines, 'COMMIT');
}

export function findChain(ruleset: Ruleset, tableName: string, chainName: string): Chain {
  const chain = ruleset.tables.find((table) => table.name === tableName)?.chains.find((each) => each.name === chainName);
  assert.ok(chain, `no chain ${tableName}/${chainName}`);
  return chain;
}

/** The specs of a chain's rules, the easiest way to see what commands did to it. */
export function specsOf(ruleset: Ruleset, tableName: string, chainName: string): string[] {
  return findChain(ruleset, tableName, chainName).rules.map((rule) => rule.spec);
}

/** Asserts that parsing fails at `line` (and `column`, when given) with a message matching `pattern`. */
export function assertSyntaxError(text: string, line: number, pattern: RegExp, column?: number): void {
  assert.throws(
    () => parseIptablesSave(text),
    (error: unknown) => {
      assert.ok(error instanceof IptablesSyntaxError, `expected IptablesSyntaxError, got ${String(error)}`);
      assert.equal(error.line, line, `line of "${error.message}"`);
      assert.match(error.expected, pattern);
      if (column !== undefined) assert.equal(error.column, column, `column of "${error.message}"`);
      return true;
    },
  );
}
