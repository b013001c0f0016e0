/** pfSense and OPNsense programs keep the vendor-neutral contract: generated configurations, the fixtures and every real config.xml. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/normalize';
import { assertProgramContract } from '../contract/program-contract';
import { generateConfig } from './generate';
import { FIXTURES, REAL, load } from './helpers';

for (const vendor of ['pfsense', 'opnsense'] as const) {
  test(`generated ${vendor} configurations keep the contract`, () => {
    let compared = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const text = generateConfig(seed, vendor);
      for (const program of load(text, vendor).programs) {
        const tally = assertProgramContract(program, { seed, randomProbes: 25 });
        compared += Object.values(tally).reduce((a, b) => a + b, 0);
      }
    }
    assert.ok(compared > 2000, `only ${compared} probes compared`);
  });
}

test('the fixtures and every real config.xml keep the contract', () => {
  const files = [
    ...fs.readdirSync(REAL).map((name) => path.join(REAL, name)),
    path.join(FIXTURES, 'lync-pfsense.xml'),
    path.join(FIXTURES, 'lync-opnsense.xml'),
  ];
  for (const file of files) {
    const { programs } = loadConfig([file]);
    assert.deepEqual(
      programs.map((p) => p.family),
      [4, 6],
      file,
    );
    for (const program of programs) {
      const tally = assertProgramContract(program, { seed: file.length, randomProbes: 40, rulesPerChain: 30 });
      assert.deepEqual(
        Object.keys(tally).sort(),
        [`IPv${program.family} forwarded`, `IPv${program.family} inbound`, `IPv${program.family} outbound`],
        file,
      );
    }
  }
});
