/**
 * Large Windows exports load in time proportional to their size: a rule string may list a
 * hundred thousand ports or addresses, and a policy store may hold a hundred thousand rules.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/normalize/load';
import { windowsFile } from './support';

/** Runs `load` and returns how long it took, in milliseconds. */
function timed(load: () => void): number {
  const start = process.hrtime.bigint();
  load();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const octets = (i: number): string => `${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

describe('large Windows exports', () => {
  it('compiles a rule of 50 000 separate remote addresses in linear time', () => {
    // Every other address, so that no two of them join into one range.
    const addresses = Array.from({ length: 50_000 }, (_, i) => `RA4=10.${octets(i * 2)}|`).join('');
    const file = windowsFile('rules.txt', `v2.31|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5061|${addresses}Name=many|\n`, 'utf8');
    let rules = 0;
    const ms = timed(() => {
      const { programs } = loadConfig([file], { type: 'windows-reg' });
      rules = programs[0].chains.get('domain-inbound')!.rules.length;
    });
    assert.equal(rules, 1);
    assert.ok(ms < 20_000, `${ms} ms`);
  });
});
