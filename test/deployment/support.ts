/** Shared by the matrix and deployment tests: fixture paths, temporary files, caught input errors. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Diagnostic, InputError } from '../../src/model/errors';
import { REPO_ROOT } from '../helpers/paths';

/** A complete example site: an HLB deployment, its configurations, a custom matrix, waivers. */
export const SITE_DIR = path.join(REPO_ROOT, 'test', 'deployment', 'fixtures', 'site');

/** Text whose line n is the n-th argument: tests state the line numbers they expect. */
export function lines(...texts: string[]): string {
  return texts.map((text) => `${text}\n`).join('');
}

/** A fresh temporary folder holding the given files (relative name -> text), removed at exit. */
export function tempDir(files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwmatrix-test-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return dir;
}

/** The diagnostics of the InputError that `action` throws. */
export function diagnosticsThrownBy(action: () => unknown): Diagnostic[] {
  try {
    action();
  } catch (error) {
    if (error instanceof InputError) return error.diagnostics;
    throw error;
  }
  return assert.fail('expected an InputError');
}

/** A diagnostic in a compact form for deepEqual: where, and what. */
export function brief(d: Diagnostic): { line?: number; column?: number; path?: string; message: string } {
  const { line, column, path: pointer } = d.location;
  return {
    ...(line !== undefined && { line }),
    ...(column !== undefined && { column }),
    ...(pointer !== undefined && { path: pointer }),
    message: d.message,
  };
}
