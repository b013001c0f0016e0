/** iptables' normalized programs keep the vendor-neutral contract: generated rule sets of both families and every real dump. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateRuleset } from '../kernel/generate';
import { compile } from '../helpers/programs';
import { REAL_CONFIGS_DIR } from '../helpers/paths';
import { loadConfig } from '../../src/normalize';
import { assertProgramContract } from './program-contract';

for (const family of [4, 6] as const) {
  test(`generated IPv${family} rule sets keep the contract`, () => {
    let compared = 0;
    for (let seed = 2000; seed < 2020; seed++) {
      const tally = assertProgramContract(compile(generateRuleset(seed, family), ['eth0', 'eth1', 'wlan0']), { seed, randomProbes: 30 });
      compared += Object.values(tally).reduce((a, b) => a + b, 0);
    }
    assert.ok(compared > 2000, `only ${compared} probes compared`);
  });
}

test('every real iptables dump keeps the contract', () => {
  const dir = path.join(REAL_CONFIGS_DIR, 'iptables');
  for (const name of fs.readdirSync(dir).sort()) {
    for (const program of loadConfig([path.join(dir, name)], { type: 'iptables' }).programs) {
      const tally = assertProgramContract(program, { seed: name.length, randomProbes: 60, rulesPerChain: 40 });
      assert.ok(Object.keys(tally).length === 3, `${name}: three points`);
    }
  }
});
