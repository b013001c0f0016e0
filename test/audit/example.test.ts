/** The bundled example site: every status, every finding, exactly. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { FIXTURES_DIR } from '../helpers/paths';
import { runCli } from '../helpers/cli';
import type { AuditReport } from '../../src/audit/types';

const DEPLOYMENT = path.join(FIXTURES_DIR, 'example', 'fwmatrix.yml');

async function report(): Promise<AuditReport> {
  const run = await runCli(['audit', DEPLOYMENT, '--format', 'json']);
  assert.equal(run.code, 1, run.stderr);
  return JSON.parse(run.stdout) as AuditReport;
}

test('statuses of every requirement on both firewalls', async () => {
  const r = await report();
  const statuses = r.results.map((x) => [x.firewall, x.requirement, x.status, x.decidedBy.map((d) => d.line)]);
  assert.deepEqual(statuses, [
    ['director01', 'rp-director-http', 'allowed', [14]],
    ['director01', 'rp-director-https', 'denied', [3]],
    ['director01', 'director-fe-https', 'allowed', [5]],
    ['director01', 'clients-director-http', 'allowed', [15]],
    ['director01', 'clients-director-https', 'allowed', [15]],
    ['director01', 'edge-director-sip', 'allowed', [16]],
    ['director01', 'director-edge-sip', 'allowed', [5]],
    ['director01', 'fe-edge-sip', 'not-applicable', []],
    ['director01', 'edge-fe-sip', 'not-applicable', []],
    ['director01', 'rp-fe-http', 'not-applicable', []],
    ['director01', 'rp-fe-https', 'not-applicable', []],
    ['director01', 'cls-50001', 'allowed', [17]],
    ['director01', 'cls-50002', 'allowed', [17]],
    ['director01', 'cls-50003', 'allowed', [17]],
    ['core-gw', 'rp-director-http', 'allowed', [14]],
    ['core-gw', 'rp-director-https', 'allowed', [14]],
    ['core-gw', 'director-fe-https', 'not-applicable', []],
    ['core-gw', 'clients-director-http', 'allowed', [20]],
    ['core-gw', 'clients-director-https', 'allowed', [20]],
    ['core-gw', 'edge-director-sip', 'allowed', [16]],
    ['core-gw', 'director-edge-sip', 'allowed', [13]],
    ['core-gw', 'fe-edge-sip', 'allowed', [13]],
    ['core-gw', 'edge-fe-sip', 'allowed', [16]],
    ['core-gw', 'rp-fe-http', 'allowed', [15]],
    ['core-gw', 'rp-fe-https', 'allowed', [15]],
    ['core-gw', 'cls-50001', 'partial', [4, 17]],
    ['core-gw', 'cls-50002', 'partial', [4, 17]],
    ['core-gw', 'cls-50003', 'partial', [4, 17]],
  ]);
  const cls = r.results.find((x) => x.firewall === 'core-gw' && x.requirement === 'cls-50001')!;
  assert.deepEqual(
    cls.errata.map((e) => e.id),
    ['E1', 'E2'],
  );
  assert.deepEqual(cls.reasons, ['match module "recent" is not modelled (line 17)']);
});

test('every finding with its rule line and witness', async () => {
  const r = await report();
  const findings = r.findings.map((f) => [f.severity, f.kind, f.firewall, f.requirement, f.rule?.line ?? null]);
  assert.deepEqual(findings, [
    ['high', 'missing', 'core-gw', 'cls-50001', 4],
    ['high', 'missing', 'core-gw', 'cls-50002', 4],
    ['high', 'missing', 'core-gw', 'cls-50003', 4],
    ['high', 'missing', 'director01', 'rp-director-https', 3],
    ['medium', 'overly-broad', 'core-gw', null, 13],
    ['medium', 'overly-broad', 'core-gw', null, 16],
    ['medium', 'undetermined', 'core-gw', 'cls-50001', 17],
    ['medium', 'undetermined', 'core-gw', 'cls-50002', 17],
    ['medium', 'undetermined', 'core-gw', 'cls-50003', 17],
    ['medium', 'extraneous', 'core-gw', null, 21],
    ['medium', 'overly-broad', 'director01', null, 15],
    ['medium', 'overly-broad', 'director01', null, 17],
    ['medium', 'extraneous', 'director01', null, 20],
    ['low', 'shadowed', 'core-gw', null, 19],
    // A default egress policy and an ICMP rule are worth a look, not a failed pipeline.
    ['low', 'overly-broad', 'director01', null, 5],
    ['low', 'extraneous', 'director01', null, 13],
  ]);
  const icmp = r.findings.find((f) => f.kind === 'extraneous' && f.rule?.line === 13)!;
  assert.match(icmp.message, /\(4,294,967,295 source addresses, 1 destination address, 1 ICMP type: 8 \(echo request\)\)$/);
  const missing = r.findings.find((f) => f.kind === 'missing' && f.requirement === 'rp-director-https')!;
  assert.deepEqual(missing.witness, { src: '192.0.2.10', dst: '198.51.100.11', proto: 'tcp', sport: 40000, dport: 4443, chain: 'INPUT' });
  assert.equal(missing.rule?.text, ':INPUT DROP');
  assert.match(missing.message, /denied entirely; e\.g\. this packet is dropped by the INPUT chain's default policy/);

  const partial = r.findings.find((f) => f.kind === 'missing' && f.requirement === 'cls-50001')!;
  assert.deepEqual(partial.witness, {
    src: '203.0.113.77',
    dst: '198.51.100.11',
    proto: 'tcp',
    sport: 40000,
    dport: 50001,
    in: 'eth2',
    out: 'eth1',
    chain: 'FORWARD',
  });
  assert.match(partial.message, /partly \(50% of its packets\)/);

  const broad = r.findings.find((f) => f.kind === 'overly-broad' && f.firewall === 'director01' && f.rule?.line === 15)!;
  assert.match(broad.message, /lets in 4,294,967,295 source addresses where the matrix requires 256/);
  assert.equal(broad.witness?.dst, '198.51.100.11');
  assert.ok(!broad.witness?.src.startsWith('203.0.113.'), 'the witness is outside the required sources');

  const extraneous = r.findings.find((f) => f.kind === 'extraneous' && f.rule?.line === 20)!;
  assert.deepEqual(extraneous.witness, { src: '192.0.2.77', dst: '198.51.100.11', proto: 'tcp', sport: 40000, dport: 22, chain: 'INPUT' });

  const shadowed = r.findings.find((f) => f.kind === 'shadowed')!;
  assert.match(shadowed.message, /decided before it \(by line 18/);
});

test('fingerprints are stable and unique', async () => {
  const [a, b] = [await report(), await report()];
  assert.deepEqual(
    a.findings.map((f) => f.fingerprint),
    b.findings.map((f) => f.fingerprint),
  );
  assert.equal(new Set(a.findings.map((f) => f.fingerprint)).size, a.findings.length);
});

test('--fail-on decides the exit code, not the format', async () => {
  assert.equal((await runCli(['audit', DEPLOYMENT, '--fail-on', 'none'])).code, 0);
  assert.equal((await runCli(['audit', DEPLOYMENT, '--fail-on', 'high'])).code, 1);
  assert.equal((await runCli(['audit', DEPLOYMENT, '--fail-on', 'high', '--format', 'json'])).code, 1);
  const text = await runCli(['audit', DEPLOYMENT, '--fail-on', 'none']);
  assert.match(text.stdout, /PASS \(fail on none\): 4 high, 9 medium, 3 low; 0 suppressed/);
});

test('the JSON report validates against the published report schema', async () => {
  const { default: Ajv2020 } = await import('ajv/dist/2020');
  const fs = await import('node:fs');
  const { REPO_ROOT } = await import('../helpers/paths');
  const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schemas', 'report.schema.json'), 'utf8'));
  const { default: addFormats } = await import('ajv-formats');
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  const r = await report();
  assert.ok(validate(r), JSON.stringify(validate.errors, null, 2));
  assert.equal(r.verdict, 'fail');
  assert.deepEqual(r.roles.find((x) => x.id === 'any')?.addresses, ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24']);
});

test('waivers and a baseline suppress findings without hiding them', async () => {
  const { tempTree } = await import('../helpers/cli');
  const before = await report();
  const missing = before.findings.find((f) => f.kind === 'missing' && f.requirement === 'rp-director-https')!;
  const dir = tempTree({
    'waivers.yml': [
      `- fingerprint: ${missing.fingerprint}`,
      '  reason: reverse proxy 4443 moves to the pool VIP in change 42',
      '- kind: shadowed',
      '  firewall: core-gw',
      '  reason: cleanup scheduled',
      '- kind: extraneous',
      '  reason: expired long ago',
      '  expires: 2020-01-01',
      '',
    ].join('\n'),
    'baseline.json': JSON.stringify(before),
  });
  const waived = await runCli(['audit', DEPLOYMENT, '--format', 'json', '--waivers', path.join(dir, 'waivers.yml')]);
  assert.equal(waived.code, 1, waived.stderr);
  const r = JSON.parse(waived.stdout) as AuditReport;
  assert.deepEqual(r.suppressed.map((f) => [f.kind, f.rule?.line]).sort(), [
    ['missing', 3],
    ['shadowed', 19],
  ]);
  assert.match(r.suppressed.find((f) => f.kind === 'missing')!.suppressedBy!, /waiver \(.*waivers\.yml:1\): reverse proxy 4443/);
  assert.equal(r.findings.length, before.findings.length - 2);
  assert.ok(
    r.findings.some((f) => f.kind === 'extraneous'),
    'an expired waiver suppresses nothing',
  );

  const baselined = await runCli(['audit', DEPLOYMENT, '--format', 'json', '--baseline', path.join(dir, 'baseline.json')]);
  assert.equal(baselined.code, 0, 'every finding is in the baseline');
  const b = JSON.parse(baselined.stdout) as AuditReport;
  assert.equal(b.findings.length, 0);
  assert.equal(b.suppressed.length, before.findings.length);
  assert.ok(b.suppressed.every((f) => f.suppressedBy === 'baseline'));
});
