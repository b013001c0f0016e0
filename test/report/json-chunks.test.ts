import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { jsonChunks, type JsonReplacer } from '../../src/report/json-chunks';
import { modelJsonChunks } from '../../src/report/model';
import { loadConfig } from '../../src/normalize/load';
import { REPO_ROOT } from '../helpers/paths';

const replacer: JsonReplacer = (_key, value) =>
  typeof value === 'bigint' ? value.toString() : value instanceof Map ? Object.fromEntries(value) : value;

const joined = (value: unknown): string => [...jsonChunks(value, replacer)].join('');

describe('JSON in pieces', () => {
  it('writes what JSON.stringify writes, however deep, empty or odd the members', () => {
    const deep = (depth: number): unknown => (depth === 0 ? { leaf: [1, 'two\nlines', null] } : { next: deep(depth - 1), at: depth });
    const values: unknown[] = [
      { a: 1, skipped: undefined, f: () => 1, list: [undefined, () => 1, Symbol('s')], empty: [], none: {} },
      [[[]], {}, '', 0, -0, Number.NaN, Infinity, true, null],
      { when: new Date(0), big: 12345678901234567890n, map: new Map([['k', [1n]]]) },
      deep(20),
      'text',
      42,
      [],
      {},
    ];
    for (const value of values) assert.equal(joined(value), JSON.stringify(value, replacer, 2));
  });

  it('writes nothing for a value JSON.stringify gives no text', () => {
    assert.equal(joined(undefined), '');
  });

  it('writes the parse model of Windows and iptables configurations as JSON.stringify does', () => {
    for (const config of [
      path.join(REPO_ROOT, 'test', 'windows', 'fixtures', 'configs', 'director01-gpo.xml'),
      path.join(REPO_ROOT, 'test', 'windows', 'fixtures', 'configs', 'director02-policy.reg'),
      path.join(REPO_ROOT, 'fixtures', 'example', 'configs', 'director01.rules'),
    ]) {
      const text = [...modelJsonChunks(loadConfig([config]))].join('');
      assert.equal(text, `${JSON.stringify(JSON.parse(text), null, 2)}\n`, config);
    }
  });
});
