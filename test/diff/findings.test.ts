/** `fwmatrix diff` with a matrix: the findings a change introduces and fixes, and the exit code they give. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { tempTree } from '../helpers/cli';
import { filterTable } from '../helpers/programs';
import { runDiff, type DiffCliOptions as DiffOptions } from '../../src/cli/diff-command';
import { compareFindings, type FindingChanges } from '../../src/app/diff';
import { runAudit } from '../../src/cli/audit-command';
import { displayPath } from '../../src/input/document';
import { InputError } from '../../src/model/errors';
import type { AuditReport, Finding } from '../../src/audit/types';

const MATRIX_OPTIONS: DiffOptions = {
  format: 'json',
  failOn: 'medium',
  color: false,
  matrix: 'lync2013-director-single',
  role: [
    'reverse-proxy-internal=192.0.2.10',
    'director=198.51.100.11',
    'front-end=198.51.100.21-198.51.100.23',
    'internal-clients=203.0.113.0/24',
    'edge-internal=192.0.2.20',
  ],
  placement: 'host',
  host: '198.51.100.11',
};

/** The Director's rules, every required flow open but HTTPS from the reverse proxy (4443). */
const DIRECTOR = [
  '-A INPUT -s 192.0.2.10/32 -p tcp -m tcp --dport 8080 -j ACCEPT',
  '-A INPUT -s 203.0.113.0/24 -p tcp -m multiport --dports 80,443 -j ACCEPT',
  '-A INPUT -s 192.0.2.20/32 -p tcp -m tcp --dport 5061 -j ACCEPT',
  '-A INPUT -p tcp -m tcp --dport 50001:50003 -j ACCEPT',
];
const RP_HTTPS = '-A INPUT -s 192.0.2.10/32 -p tcp -m tcp --dport 4443 -j ACCEPT';
const ANY_HTTPS = '-A INPUT -p tcp -m tcp --dport 4443 -j ACCEPT';

const director = (extra: string[]) => filterTable({ INPUT: 'DROP' }, [...DIRECTOR, ...extra]);

function diff(files: Record<string, string>, before: string, after: string, opts: Partial<DiffOptions> = {}) {
  const dir = tempTree(files);
  const at = (name: string) => path.join(dir, name);
  const run = runDiff(at(before), at(after), { ...MATRIX_OPTIONS, ...opts });
  const report = JSON.parse(run.text) as {
    changes: { kind: string; after: { rule: { line: number } | null } }[];
    findings: FindingChanges;
  };
  return { at, shown: (name: string) => displayPath(at(name)), exitCode: run.exitCode, report };
}

/** The audit of one configuration, as `fwmatrix audit --config` gives it. */
function audit(config: string): AuditReport {
  const { deployment: _d, firewall: _f, ...options } = MATRIX_OPTIONS;
  return JSON.parse(runAudit(undefined, { ...options, config: [config] }).text) as AuditReport;
}

test('opening the missing flow fixes the missing finding and introduces none', () => {
  const d = diff({ 'before.rules': director([]), 'after.rules': director([RP_HTTPS]) }, 'before.rules', 'after.rules');
  assert.equal(d.exitCode, 0);
  assert.deepEqual(
    d.report.changes.map((c) => [c.kind, c.after.rule?.line]),
    [['newly-allowed', 9]],
  );
  const afterAudit = audit(d.at('after.rules'));
  assert.deepEqual(d.report.findings, {
    introduced: [],
    fixed: [
      {
        // Named like AFTER, whose audit names the firewall after its file: unchanged findings keep their fingerprint.
        fingerprint: 'db1e9ed9f3356f5f1ec85205',
        kind: 'missing',
        severity: 'high',
        firewall: 'after.rules',
        requirement: 'rp-director-https',
        rule: { file: d.shown('before.rules'), line: 2, text: ':INPUT DROP' },
        witness: { src: '192.0.2.10', dst: '198.51.100.11', proto: 'tcp', sport: 40000, dport: 4443, chain: 'INPUT' },
        message:
          "required flow tcp/4443 from reverse-proxy-internal to director is denied entirely; e.g. this packet is dropped by the INPUT chain's default policy; the rule at line 5 matches destination ports 8080, not 4443",
        hints: [
          {
            rule: { file: d.shown('before.rules'), line: 5, text: DIRECTOR[0] },
            condition: 'dport',
            says: 'matches destination ports 8080, not 4443',
            suggestion: 'add destination port 4443',
          },
        ],
      },
    ],
    unchanged: 1,
  });
  // The one that stays: what the audit of AFTER alone finds.
  assert.deepEqual(
    afterAudit.findings.map((f) => [f.kind, f.rule?.text]),
    [['overly-broad', ':OUTPUT ACCEPT']],
  );
});

test('opening it to every source introduces an overly broad rule: exit 1 at --fail-on medium, 0 at high', () => {
  const files = { 'before.rules': director([]), 'after.rules': director([ANY_HTTPS]) };
  const d = diff(files, 'before.rules', 'after.rules');
  assert.equal(d.exitCode, 1);
  assert.deepEqual(
    d.report.findings.introduced.map((f) => [f.severity, f.kind, f.firewall, f.rule, f.message]),
    [
      [
        'medium',
        'overly-broad',
        'after.rules',
        { file: d.shown('after.rules'), line: 9, text: ANY_HTTPS },
        'rule at line 9 serves required flows but is broader than they are: lets in 4,294,967,295 source addresses where the matrix requires 1',
      ],
    ],
  );
  assert.deepEqual(
    d.report.findings.fixed.map((f) => [f.kind, f.requirement]),
    [['missing', 'rp-director-https']],
  );
  assert.equal(
    d.report.findings.introduced[0].fingerprint,
    audit(d.at('after.rules')).findings.find((f) => f.kind === 'overly-broad' && f.rule?.line === 9)?.fingerprint,
  );
  assert.equal(diff(files, 'before.rules', 'after.rules', { failOn: 'high' }).exitCode, 0);
});

test('the text report lists the findings introduced and fixed, and the verdict', () => {
  const dir = tempTree({ 'before.rules': director([]), 'after.rules': director([ANY_HTTPS]) });
  const [before, after] = [path.join(dir, 'before.rules'), path.join(dir, 'after.rules')];
  const run = runDiff(before, after, { ...MATRIX_OPTIONS, format: 'text' });
  assert.equal(run.exitCode, 1);
  assert.equal(
    run.text.split('\n').slice(1).join('\n'),
    `
Newly allowed (1):
  INPUT IPv4: 4,294,967,295 source addresses, 1 destination address, 1 protocol, 1 destination port
    before drop by ${displayPath(before)}:2: :INPUT DROP (the INPUT chain's default policy)
    after  accept by ${displayPath(after)}:9: ${ANY_HTTPS}
    witness: tcp 203.0.113.77:40000 -> 198.51.100.11:4443 [INPUT]

Findings introduced (1):
  MEDIUM overly-broad after.rules
    rule at line 9 serves required flows but is broader than they are: lets in 4,294,967,295 source addresses where the matrix requires 1
    ${displayPath(after)}:9: ${ANY_HTTPS}
    witness: tcp 203.0.113.77:40000 -> 198.51.100.11:4443 [INPUT]
    fingerprint 4e74989e6ac311e3118d67b5

Findings fixed (1):
  HIGH missing after.rules rp-director-https
    required flow tcp/4443 from reverse-proxy-internal to director is denied entirely; e.g. this packet is dropped by the INPUT chain's default policy; the rule at line 5 matches destination ports 8080, not 4443
    ${displayPath(before)}:2: :INPUT DROP
    witness: tcp 192.0.2.10:40000 -> 198.51.100.11:4443 [INPUT]
    fingerprint db1e9ed9f3356f5f1ec85205

FAIL (fail on medium): 1 flow change; 1 finding introduced, 1 fixed, 1 unchanged
`,
  );
});

/** A site with two firewalls: the Director, with an IPv4 and an IPv6 rule set, and a gateway. */
const SITE = {
  'fwmatrix.yml': `matrix: lync2013-director-single
roles:
  reverse-proxy-internal: [192.0.2.10]
  director: [198.51.100.11, "2001:db8:100::11"]
  front-end: [198.51.100.21-198.51.100.23]
  internal-clients: [203.0.113.0/24, "2001:db8:20::/48"]
  edge-internal: [192.0.2.20]
firewalls:
  - name: director01
    config: [configs/director01.rules, configs/director01-v6.rules]
    placement: host
    host: [198.51.100.11, "2001:db8:100::11"]
  - name: core-gw
    config: configs/core-gw.rules
    placement: network
    interfaces:
      eth0: [192.0.2.0/24]
      eth1: [198.51.100.0/24]
`,
  'configs/director01.rules': director([]),
  'configs/director01-v6.rules': `# Generated by ip6tables-save v1.8.9\n${filterTable({ INPUT: 'DROP' }, ['-A INPUT -s 2001:db8:20::/48 -p tcp -m multiport --dports 80,443 -j ACCEPT'])}`,
  'configs/core-gw.rules': filterTable({ FORWARD: 'DROP' }, []),
  'director01.new': director([RP_HTTPS]),
};

function site() {
  const dir = tempTree(SITE);
  const at = (name: string) => path.join(dir, name);
  const options: DiffOptions = {
    format: 'json',
    failOn: 'medium',
    color: false,
    placement: 'host',
    deployment: at('fwmatrix.yml'),
    firewall: 'director01',
  };
  return { at, options };
}

test("with a deployment: BEFORE and AFTER stand for the named firewall's rule set of their family, the others stay", () => {
  const { at, options } = site();
  const run = runDiff(at('configs/director01.rules'), at('director01.new'), options);
  assert.equal(run.exitCode, 0);
  const report = JSON.parse(run.text) as { changes: { kind: string; after: { rule: { line: number } } }[]; findings: FindingChanges };
  assert.deepEqual(
    report.changes.map((c) => [c.kind, c.after.rule.line]),
    [['newly-allowed', 9]],
  );

  const siteAudit = JSON.parse(
    runAudit(at('fwmatrix.yml'), { format: 'json', failOn: 'medium', color: false, placement: 'host' }).text,
  ) as AuditReport;
  const directorFindings = siteAudit.findings.filter((f) => f.firewall === 'director01');
  const missing = directorFindings.find((f) => f.kind === 'missing' && f.requirement === 'rp-director-https')!;
  // The deployment names the firewall: fingerprints are those of the site's own audit.
  assert.deepEqual(report.findings.fixed, [missing]);
  assert.deepEqual(report.findings.introduced, []);
  // Without the IPv6 rule set, IPv6 flows would be undetermined on both sides and the count would differ.
  assert.equal(report.findings.unchanged, directorFindings.length - 1);
  assert.equal(report.findings.unchanged, 5);
});

test('with a deployment of several firewalls, --firewall names one of them; the firewall options do not mix with it', () => {
  const { at, options } = site();
  const shown = displayPath(at('fwmatrix.yml'));
  const refused = (opts: Partial<DiffOptions>, message: string) =>
    assert.throws(
      () => runDiff(at('configs/director01.rules'), at('director01.new'), { ...options, ...opts }),
      (e: unknown) => e instanceof InputError && e.message === message,
    );
  refused(
    { firewall: undefined },
    `--firewall: ${shown} has 2 firewalls (director01, core-gw): name the one BEFORE and AFTER stand for with --firewall NAME`,
  );
  refused({ firewall: 'director02' }, `--firewall: no firewall 'director02' in ${shown}; its firewalls: director01, core-gw`);
  refused({ matrix: 'lync2013-director-single' }, '--matrix: give either a deployment or the firewall and matrix options, not both');
});

test('findings are matched by fingerprint one for one, suppressed ones included', () => {
  const finding = (fingerprint: string, suppressedBy?: string): Finding => ({
    fingerprint,
    kind: 'shadowed',
    severity: 'low',
    firewall: 'fw',
    requirement: null,
    rule: null,
    witness: null,
    message: fingerprint,
    ...(suppressedBy ? { suppressedBy } : {}),
  });
  const report = (findings: Finding[], suppressed: Finding[]) => ({ findings, suppressed }) as unknown as AuditReport;
  // A rule written twice is shadowed twice under one fingerprint: removing one copy fixes one finding.
  const changes = compareFindings({
    before: report([finding('x'), finding('x'), finding('y')], []),
    after: report([finding('x'), finding('z')], [finding('y', 'waiver W1')]),
  });
  assert.deepEqual(changes, { introduced: [finding('z')], fixed: [finding('x')], unchanged: 2 });
});
