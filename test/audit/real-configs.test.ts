/** Every real configuration: traced packets with known fates, and a complete audit. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { REAL_CONFIGS_DIR } from '../helpers/paths';
import { runCli } from '../helpers/cli';
import type { AuditReport } from '../../src/audit/types';

const IPTABLES = path.join(REAL_CONFIGS_DIR, 'iptables');

async function traceAll(file: string, probes: object[]): Promise<[string, number | null, string[]][]> {
  const run = await runCli(['trace', path.join(IPTABLES, file), '--probes', '-'], probes.map((p) => JSON.stringify(p)).join('\n'));
  assert.equal(run.code, 0, run.stderr);
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
    .map((t) => [
      t.verdict,
      t.decidedBy?.line ?? null,
      t.reasons.map((r: { why: string; rule: { line: number } }) => `${r.rule.line}: ${r.why}`),
    ]);
}

const fwd = (from: string, to: string, proto: string | number, dport?: number) => ({
  from,
  to,
  proto,
  ...(dport ? { dport } : {}),
  in: 'eth0',
  out: 'eth1',
  chain: 'FORWARD',
});
const inp = (from: string, to: string, proto: string | number, dport?: number) => ({
  from,
  to,
  proto,
  ...(dport ? { dport } : {}),
  in: 'eth0',
  chain: 'INPUT',
});

test('parser torture test: gotos, flags, an unknown multiport option, conntrack states', async () => {
  assert.deepEqual(
    await traceAll('diekmann_parser_test.rules', [
      fwd('131.159.1.1', '192.0.2.1', 'tcp', 80),
      fwd('131.159.1.1', '192.0.2.1', 'udp', 8081),
      fwd('127.0.0.5', '192.0.2.1', 'tcp', 80),
      fwd('131.159.1.1', '192.0.2.1', 'udp', 9999),
    ]),
    [
      ['accept', 14, []],
      ['undetermined', 12, ['12: option --something-else of match module "multiport" is not understood']],
      ['drop', 11, []],
      ['drop', 16, []],
    ],
  );
});

test('Synology ip6tables: rate limits that end the same way either way are decided', async () => {
  assert.deepEqual(
    await traceAll('diekmann_synology_ip6tables_jul2016.rules', [
      inp('2001:db8::1', '2001:db8::2', 'tcp', 5000),
      inp('fe80::1', '2001:db8::2', 58),
    ]),
    [
      ['drop', 19, []],
      ['drop', 53, []],
    ],
  );
});

test('old negation placement (v1.4.21) and a DROP policy', async () => {
  assert.deepEqual(
    await traceAll('diekmann_ugent_v1.4.21.rules', [
      inp('192.0.2.1', '198.51.100.2', 'tcp', 22),
      fwd('192.0.2.1', '198.51.100.2', 'tcp', 80),
    ]),
    [
      ['accept', 18, []],
      ['drop', null, []],
    ],
  );
});

test('marks: set by mangle for ssh and read by filter (followed: accepted by the mark rule), never for udp/53', async () => {
  assert.deepEqual(
    await traceAll('duderandom21_vpn_policy_rules.v4', [
      inp('203.0.113.5', '192.0.2.1', 'tcp', 22),
      inp('203.0.113.5', '192.0.2.1', 'udp', 53),
      inp('192.168.0.5', '192.0.2.1', 'tcp', 443),
    ]),
    [
      ['accept', 20, []],
      ['drop', 34, []],
      ['accept', 21, []],
    ],
  );
});

const ROLES = [
  '--role',
  'reverse-proxy-internal=192.0.2.10',
  '--role',
  'director=198.51.100.11',
  '--role',
  'front-end=198.51.100.21-198.51.100.23',
  '--role',
  'internal-clients=203.0.113.0/24',
  '--role',
  'edge-internal=192.0.2.20',
];

const EXPECTED: Record<string, { rules: number; statuses: Record<string, number>; kinds: Record<string, number> }> = {
  'diekmann_parser_test.rules': { rules: 43, statuses: { allowed: 10, 'not-applicable': 4 }, kinds: { 'overly-broad': 2, shadowed: 33 } },
  'diekmann_sqrl_shorewall_akachan.rules': {
    rules: 404,
    statuses: { partial: 10, 'not-applicable': 4 },
    kinds: { missing: 10, extraneous: 21, 'overly-broad': 5, shadowed: 3 },
  },
  'diekmann_synology_ip6tables_jul2016.rules': {
    rules: 47,
    statuses: { undetermined: 10, 'not-applicable': 4 },
    kinds: { undetermined: 10, shadowed: 4 },
  },
  'diekmann_ugent_v1.4.21.rules': {
    rules: 232,
    statuses: { denied: 3, allowed: 4, 'not-applicable': 4, partial: 3 },
    kinds: { missing: 6, 'overly-broad': 18, extraneous: 18, shadowed: 174 },
  },
  // Its mark rules (lines 7, 20, 29) test a mark mangle sets before them: none is shadowed.
  'duderandom21_vpn_policy_rules.v4': {
    rules: 27,
    statuses: { partial: 10, 'not-applicable': 4 },
    kinds: { missing: 10, extraneous: 8, 'overly-broad': 3 },
  },
};

for (const [file, expected] of Object.entries(EXPECTED)) {
  test(`audit of ${file} as the Director's host firewall`, async () => {
    const run = await runCli([
      'audit',
      '--config',
      path.join(IPTABLES, file),
      '--matrix',
      'lync2013-director-single',
      ...ROLES,
      '--host',
      '198.51.100.11',
      '--format',
      'json',
    ]);
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as AuditReport;
    assert.equal(report.firewalls[0].rules, expected.rules);
    const count = (values: string[]) => values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {});
    assert.deepEqual(count(report.results.map((r) => r.status)), expected.statuses);
    assert.deepEqual(count(report.findings.map((f) => f.kind)), expected.kinds);
    for (const f of report.findings) {
      if (f.kind !== 'shadowed' && f.rule) assert.ok(f.witness, `${f.kind} at line ${f.rule.line} has a witness`);
    }
  });
}
