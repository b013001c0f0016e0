/**
 * The stages read as the README's diagram says: each folder of src/ imports only its own files
 * and earlier stages, the parser packages import nothing of src/, and nothing after the
 * normalizers names iptables' own words.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './helpers/paths';

/** Stages in order; a stage may import a stage of a lower rank, never one of its own rank or higher. */
const STAGE_RANK: Readonly<Record<string, number>> = {
  packetset: 0,
  model: 1,
  input: 2,
  normalize: 3,
  engine: 3,
  matrix: 4,
  deployment: 5,
  audit: 6,
  report: 7,
  app: 8,
  cli: 9,
  'index.ts': 10,
};

const SRC = path.join(REPO_ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]).filter((spec) => spec.startsWith('.'));
}

/** The stage a file of src/ belongs to: its first folder (or index.ts). */
function stageOf(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0];
}

test('every folder of src/ is a known stage', () => {
  for (const entry of fs.readdirSync(SRC)) assert.ok(entry in STAGE_RANK, `src/${entry} has no place in the stage order`);
});

test('no stage imports a later one (or a peer)', () => {
  const violations: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = stageOf(file);
    for (const spec of imports(file)) {
      const target = path.resolve(path.dirname(file), spec);
      if (!target.startsWith(SRC + path.sep)) {
        // Outside src/ only the parser packages may be imported, and only by the normalizers.
        if (!(from === 'normalize' && path.relative(REPO_ROOT, target).startsWith(`parsers${path.sep}`)))
          violations.push(`${path.relative(REPO_ROOT, file)} imports ${spec}`);
        continue;
      }
      const to = stageOf(target.endsWith('.ts') ? target : `${target}.ts`);
      if (to !== from && STAGE_RANK[to] >= STAGE_RANK[from])
        violations.push(`${path.relative(REPO_ROOT, file)} (${from}) imports ${spec} (${to})`);
    }
  }
  assert.deepEqual(violations, []);
});

test('the parser packages are self-contained', () => {
  const parsers = path.join(REPO_ROOT, 'parsers');
  const violations: string[] = [];
  for (const pkg of fs.readdirSync(parsers)) {
    const root = path.join(parsers, pkg);
    for (const file of sourceFiles(path.join(root, 'src'))) {
      for (const spec of imports(file)) {
        const target = path.resolve(path.dirname(file), spec);
        // Packages may use each other (the XML reader), never fwmatrix itself.
        if (!target.startsWith(parsers + path.sep)) violations.push(`${path.relative(REPO_ROOT, file)} imports ${spec}`);
      }
    }
  }
  assert.deepEqual(violations, []);
});

test("after the normalizers nothing names iptables' chains, tables, loopback or counters", () => {
  const vendorWords = [/'INPUT'|'FORWARD'|'OUTPUT'/, /'lo'/, /\bfilter\//, /split\('\/'\)/, /\\\[\\d\+:\\d\+\\\]/];
  const violations: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const stage = stageOf(file);
    if (stage === 'normalize' || STAGE_RANK[stage] < STAGE_RANK.normalize) continue;
    const text = fs.readFileSync(file, 'utf8');
    for (const word of vendorWords) if (word.test(text)) violations.push(`${path.relative(REPO_ROOT, file)} has ${word}`);
  }
  assert.deepEqual(violations, []);
});
