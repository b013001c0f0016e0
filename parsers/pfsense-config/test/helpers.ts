import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigSyntaxError, type Text, parseConfigXml } from '../src';

/** The repository root: the nearest folder above this file with a package.json and `parsers/` (so dist/ does not count). */
function findRepoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'parsers')) && existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no parsers/ folder above ${__dirname}`);
  }
}

/** The real config.xml files the repository keeps (fixtures/real/SOURCES.md says where each comes from). */
export const REAL_CONFIGS_DIR = path.resolve(findRepoRoot(), 'fixtures', 'real', 'pfsense');

export function readRealConfig(fileName: string): string {
  return readFileSync(path.join(REAL_CONFIGS_DIR, fileName), 'utf8');
}

/** The lines joined into one file. */
export function xml(...lines: string[]): string {
  return lines.join('\n') + '\n';
}

/** A value and where it was written, the way tests compare them. */
export function at(text: Text | undefined): [string, number, string] | undefined {
  return text === undefined ? undefined : [text.value, text.line, text.path];
}

export function assertConfigError(text: string, line: number, expected: RegExp, path?: string): ConfigSyntaxError {
  let caught: unknown;
  try {
    parseConfigXml(text);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ConfigSyntaxError, `expected a ConfigSyntaxError, got ${String(caught)}`);
  assert.equal(caught.line, line, caught.message);
  assert.match(caught.expected, expected);
  assert.equal(caught.path, path);
  return caught;
}
