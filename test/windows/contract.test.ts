/** Windows' normalized programs keep the vendor-neutral contract: generated rule sets, the fixtures and every real export. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../../src/normalize';
import { WINDOWS_REG_FORMAT } from '../../src/normalize/windows/format';
import { assertProgramContract, prng } from '../contract/program-contract';
import { DIRECTOR01_GPO, DIRECTOR02_REG, REAL_WINDOWS } from './support';

/** Rule strings over a few addresses and ports, so that rules overlap, cover each other and leave gaps. */
function generatedRules(seed: number, count: number): string {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const some = <T>(items: readonly T[], max: number): T[] => Array.from({ length: Math.floor(random() * (max + 1)) }, () => pick(items));
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const action = pick(['Allow', 'Allow', 'Block', 'ByPass']);
    const dir = action === 'ByPass' ? 'In' : pick(['In', 'Out']);
    const protocol = pick(['6', '6', '17', '1', '58', '']);
    const fields = [`Action=${action}`, pick(['Active=TRUE', 'Active=TRUE', 'Active=TRUE', 'Active=FALSE', '']), `Dir=${dir}`];
    if (protocol !== '') fields.push(`Protocol=${protocol}`);
    fields.push(...some(['Domain', 'Private', 'Public'], 2).map((p) => `Profile=${p}`));
    if (protocol === '6' || protocol === '17') {
      fields.push(...some(['LPort=80', 'LPort=443', 'LPort=5061', 'LPort2_10=50001-50003', 'LPort2_10=1000-2000'], 2));
      if (dir === 'In') fields.push(...some(['LPort=RPC'], 1));
      fields.push(...some(['RPort=53', 'RPort2_10=40000-40010', 'RPort2_10=IPTLSOut'], 1));
    }
    if (protocol === '1') fields.push(...some(['ICMP4=8:*', 'ICMP4=3:4'], 2));
    if (protocol === '58') fields.push(...some(['ICMP6=128:*', 'ICMP6=135:0'], 2));
    fields.push(
      ...some(
        ['RA4=192.0.2.0/24', 'RA4=192.0.2.10', 'RA4=198.51.100.0/25', 'RA4=203.0.113.5-203.0.113.200', 'RA4=LocalSubnet', 'RA4=DNS'],
        2,
      ),
    );
    fields.push(...some(['RA6=2001:db8:2::/64', 'RA6=2001:db8:3::1', 'RA6=LocalSubnet'], 1));
    fields.push(...some(['LA4=198.51.100.11', 'LA6=2001:db8:100::11', 'RA42=IntrAnet'], 1));
    fields.push(...some(['App=System', 'Svc=RTCSRV', 'LOM=TRUE', 'IFType=Lan', 'Edge=TRUE'], 1));
    if (action === 'ByPass' || random() < 0.1) fields.push('Security=Authenticate', 'RMAuth=O:LSD:(A;;CC;;;S-1-5-21-1)');
    fields.push(`Name=generated ${i}`);
    lines.push(`v2.31|${fields.filter((f) => f !== '').join('|')}|`);
  }
  return lines.join('\n') + '\n';
}

const OPTION_SETS: Record<string, unknown>[] = [
  {},
  {
    localSubnet: ['198.51.100.0/24', '2001:db8:100::/64'],
    addressKeywords: { DNS: ['192.0.2.53'] },
    portKeywords: { RPC: ['49152-65535'] },
  },
  { profiles: ['domain'], authenticatedPeers: ['192.0.2.10'], programs: [{ program: 'System', protocol: 'tcp', ports: [80, 443] }] },
];

test('generated Windows rule lists keep the contract, with and without the deployment deciding keywords and programs', () => {
  let compared = 0;
  for (let seed = 700; seed < 712; seed++) {
    const options = OPTION_SETS[seed % OPTION_SETS.length];
    const loaded = WINDOWS_REG_FORMAT.load([{ file: `generated-${seed}.rules`, text: generatedRules(seed, 24) }], {
      interfaceNames: [],
      options,
    });
    assert.equal(loaded.programs.length, 2);
    for (const program of loaded.programs) {
      const tally = assertProgramContract(program, { seed, randomProbes: 30 });
      compared += Object.values(tally).reduce((a, b) => a + b, 0);
    }
  }
  assert.ok(compared > 3000, `only ${compared} probes compared`);
});

test('the fixtures and every real Windows export keep the contract', () => {
  const files = [DIRECTOR01_GPO, DIRECTOR02_REG, ...fs.readdirSync(REAL_WINDOWS).map((name) => path.join(REAL_WINDOWS, name))];
  for (const file of files) {
    const loaded = loadConfig([file], { options: { localSubnet: ['198.51.100.0/24'] } });
    assert.deepEqual(
      loaded.programs.map((p) => p.family),
      [4, 6],
      file,
    );
    for (const program of loaded.programs) {
      const tally = assertProgramContract(program, { seed: file.length, randomProbes: 40, rulesPerChain: 40 });
      assert.equal(Object.keys(tally).length, 6, `${path.basename(file)}: three profiles, inbound and outbound`);
    }
  }
});
