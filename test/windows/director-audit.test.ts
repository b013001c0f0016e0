/**
 * The Directors of the Windows fixtures, audited with their deployments: every status, every
 * deciding rule (line and XML path) and every finding, and how the deployment's options decide
 * what the configuration leaves open.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../helpers/cli';
import type { AuditReport } from '../../src/audit/types';
import { DIRECTOR01_GPO, DIRECTOR02_REG, WINDOWS_FIXTURES, auditWindows, result, statuses, windowsFile } from './support';

async function auditFile(deployment: string): Promise<AuditReport> {
  const run = await runCli(['audit', path.join(WINDOWS_FIXTURES, deployment), '--format', 'json']);
  assert.equal(run.code, 1, run.stderr);
  return JSON.parse(run.stdout) as AuditReport;
}

const EXT = '/GPO/Computer/ExtensionData[1]/Extension';

describe("director01: a Director's GPO report (UTF-16LE, prefix q1:), Domain profile", () => {
  it('has every status and deciding rule, at its line and path', async () => {
    const report = await auditFile('director01.yml');
    assert.deepEqual(report.firewalls, [
      { name: 'director01', type: 'windows-gpo', file: 'test/windows/fixtures/configs/director01-gpo.xml', rules: 10, placement: 'host' },
    ]);
    const rows = report.results.map((r) => [r.requirement, r.variant, r.status, r.decidedBy.map((d) => `${d.line} ${d.path}`)]);
    assert.deepEqual(rows, [
      // App=System: a program-limited rule, and the deployment does not name the program.
      ['rp-director-http', 'domain', 'undetermined', [`89 ${EXT}/q1:InboundFirewallRules[4]`]],
      // The only rule for 4443 is Public-only: on a Domain-profile host the default blocks.
      ['rp-director-https', 'domain', 'denied', [`28 ${EXT}/q1:DomainProfile/q1:DefaultInboundAction`]],
      // The 444 rule has no <Active>: inactive, and the Domain profile blocks outbound by default.
      ['director-fe-https', 'domain', 'denied', [`31 ${EXT}/q1:DomainProfile/q1:DefaultOutboundAction`]],
      // The block rule for 203.0.113.128/25 beats the allow rule for the clients (the allow comes first in the file).
      ['clients-director-http', 'domain', 'partial', [`54 ${EXT}/q1:InboundFirewallRules[1]`, `67 ${EXT}/q1:InboundFirewallRules[2]`]],
      ['clients-director-https', 'domain', 'allowed', [`54 ${EXT}/q1:InboundFirewallRules[1]`]],
      // RA42/RA62=IntrAnet without a definition; the older rule for the Edge is Active=false.
      ['edge-director-sip', 'domain', 'undetermined', [`102 ${EXT}/q1:InboundFirewallRules[5]`]],
      // IPv4 and IPv6 addresses of the Edge.
      ['director-edge-sip', 'domain', 'allowed', [`160 ${EXT}/q1:OutboundFirewallRules[2]`]],
      ['fe-edge-sip', 'domain', 'not-applicable', []],
      ['edge-fe-sip', 'domain', 'not-applicable', []],
      ['rp-fe-http', 'domain', 'not-applicable', []],
      ['rp-fe-https', 'domain', 'not-applicable', []],
      // LPort2_10=50001-50003 from LocalSubnet: the host's networks (localSubnet) out of the site's "any".
      ...['cls-50001', 'cls-50002', 'cls-50003'].map((id) => [
        id,
        'domain',
        'partial',
        [`28 ${EXT}/q1:DomainProfile/q1:DefaultInboundAction`, `125 ${EXT}/q1:InboundFirewallRules[7]`],
      ]),
    ]);
    assert.deepEqual(result(report, 'edge-director-sip').reasons, [
      'RA42=IntrAnet: what they mean at this site is not given (addressKeywords in the deployment) (line 102)',
      'RA62=IntrAnet: what they mean at this site is not given (addressKeywords in the deployment) (line 102)',
    ]);
    assert.deepEqual(result(report, 'clients-director-http').witness, {
      src: '203.0.113.129',
      dst: '198.51.100.11',
      proto: 'tcp',
      sport: 40000,
      dport: 80,
      chain: 'domain-inbound',
    });
  });

  it('has every finding, at its rule', async () => {
    const report = await auditFile('director01.yml');
    assert.deepEqual(
      report.findings.map((f) => [f.severity, f.kind, f.requirement, f.rule?.line, f.witness?.src]),
      [
        ['high', 'missing', 'cls-50001', 28, '203.0.113.77'],
        ['high', 'missing', 'cls-50002', 28, '203.0.113.77'],
        ['high', 'missing', 'cls-50003', 28, '203.0.113.77'],
        ['high', 'missing', 'rp-director-https', 28, '192.0.2.10'],
        ['high', 'missing', 'director-fe-https', 31, '198.51.100.11'],
        ['high', 'missing', 'clients-director-http', 67, '203.0.113.129'],
        ['medium', 'undetermined', 'rp-director-http', 89, '192.0.2.10'],
        ['medium', 'undetermined', 'edge-director-sip', 102, '192.0.2.20'],
      ],
    );
    const missing = report.findings.find((f) => f.requirement === 'director-fe-https')!;
    assert.match(missing.message, /dropped by the Domain profile's default outbound action \(DefaultOutboundAction = Block\)$/);
    assert.equal(missing.rule?.text, 'DefaultOutboundAction = Block');
  });

  it('warns about the rule without <Active> and the inactive rule, at their elements', async () => {
    const report = await auditFile('director01.yml');
    assert.deepEqual(
      report.warnings.map((w) => [w.line, w.path, w.message]),
      [
        [
          149,
          `${EXT}/q1:OutboundFirewallRules[1]`,
          'rule "Front End pool HTTPS (TCP-Out)" has no Active=, which MS-GPFAS reads as inactive: it is not enforced',
        ],
        [114, `${EXT}/q1:InboundFirewallRules[6]`, '1 rule is inactive (Active=FALSE) and not enforced: line 114'],
      ],
    );
  });

  it('is decided once the deployment says what IntrAnet means and which program listens on 8080', () => {
    const report = auditWindows(DIRECTOR01_GPO, '11', {
      profiles: ['domain'],
      localSubnet: ['198.51.100.0/24', '2001:db8:100::/64'],
      addressKeywords: { IntrAnet: ['192.0.2.0/24', '2001:db8:2::/64'] },
      programs: [{ program: 'system', protocol: 'tcp', ports: [8080, 4443], direction: 'inbound' }],
    });
    assert.equal(result(report, 'edge-director-sip').status, 'allowed');
    assert.deepEqual(
      result(report, 'edge-director-sip').decidedBy.map((d) => d.line),
      [102],
    );
    assert.equal(result(report, 'rp-director-http').status, 'allowed', 'App=System matches without regard to case');
    const otherProgram = auditWindows(DIRECTOR01_GPO, '11', {
      profiles: ['domain'],
      programs: [{ program: 'C:\\Program Files\\Other\\other.exe', protocol: 'tcp', ports: [8080] }],
    });
    assert.equal(result(otherProgram, 'rp-director-http').status, 'denied', 'the flow is another program’s: App=System does not admit it');
  });

  it('is undetermined for LocalSubnet when the host’s networks are not given', () => {
    const report = auditWindows(DIRECTOR01_GPO, '11', { profiles: ['domain'] });
    assert.equal(result(report, 'cls-50001').status, 'undetermined');
    assert.deepEqual(result(report, 'cls-50001').reasons, [
      "RA4=LocalSubnet: the host's networks are not given (interfaces or localSubnet in the deployment) (line 125)",
      "RA6=LocalSubnet: the host's networks are not given (interfaces or localSubnet in the deployment) (line 125)",
    ]);
  });

  it('audits every profile on its own without profiles:, the disabled one unfiltered', () => {
    const report = auditWindows(DIRECTOR01_GPO, '11', { localSubnet: ['198.51.100.0/24'] });
    assert.deepEqual([...new Set(report.results.map((r) => r.variant))], ['domain', 'private', 'public']);
    // Public: EnableFirewall false lets everything through, decided by that setting.
    assert.deepEqual(
      Object.values(statuses(report, 'public')).filter((s) => s !== 'not-applicable'),
      new Array(10).fill('allowed'),
    );
    assert.deepEqual(
      result(report, 'rp-director-https', 'public').decidedBy.map((d) => [d.line, d.text]),
      [[50, 'EnableFirewall = false']],
    );
    const unfiltered = report.findings.filter((f) => f.kind === 'unfiltered');
    assert.deepEqual(
      unfiltered.map((f) => [f.severity, f.variant, f.rule?.line, f.message]),
      [
        [
          'high',
          'public',
          50,
          'Public profile, inbound: EnableFirewall is false for the Public profile, so every packet is let through whatever the rules say',
        ],
        [
          'high',
          'public',
          50,
          'Public profile, outbound: EnableFirewall is false for the Public profile, so every packet is let through whatever the rules say',
        ],
      ],
    );
    // Private: no rule names it, AllowLocalPolicyMerge is not set, so what the default blocks is undetermined.
    assert.equal(result(report, 'rp-director-https', 'private').status, 'undetermined');
    assert.deepEqual(result(report, 'rp-director-https', 'private').reasons, [
      "the Private profile merges the host's local rules (AllowLocalPolicyMerge not set: Windows' default, true), which this export does not show: one of them may allow what DefaultInboundAction blocks (line 38)",
    ]);
    // ...but a block rule decides: the client lab's HTTP is blocked in every profile it names (none: all).
    const lab = auditWindows(DIRECTOR01_GPO, '11', { profiles: ['private'] });
    const http = result(lab, 'clients-director-http', 'private');
    assert.deepEqual([http.status, http.decidedBy.map((d) => d.line)], ['partial', [38, 67]]);
    assert.equal(result(lab, 'director-fe-https', 'private').status, 'allowed', 'the Private profile allows outbound by default');
  });

  it('reads the report the same in UTF-8', () => {
    const utf8 = windowsFile(
      'director01-gpo.xml',
      fs.readFileSync(DIRECTOR01_GPO).subarray(2).toString('utf16le').replace('encoding="utf-16"', 'encoding="utf-8"'),
      'utf8',
    );
    const options = { profiles: ['domain'], localSubnet: ['198.51.100.0/24', '2001:db8:100::/64'] };
    const shape = (r: AuditReport): unknown => r.results.map((x) => [x.requirement, x.status, x.decidedBy.map((d) => [d.line, d.path])]);
    assert.deepEqual(shape(auditWindows(utf8, '11', options)), shape(auditWindows(DIRECTOR01_GPO, '11', options)));
  });
});

describe('director02: a reg export of the policy store, Domain profile', () => {
  it('has every status and deciding rule', async () => {
    const report = await auditFile('director02.yml');
    assert.deepEqual(report.firewalls[0].rules, 10);
    assert.deepEqual(
      report.results.map((r) => [r.requirement, r.status, r.decidedBy.map((d) => d.line)]),
      [
        // The only rule for 8080 is Public-only.
        ['rp-director-http', 'denied', [8]],
        // The block rule (line 19) covers the allow rule (line 18): precedence, not order.
        ['rp-director-https', 'denied', [8, 19]],
        ['director-fe-https', 'allowed', [23]],
        ['clients-director-http', 'allowed', [16]],
        // IPv4 clients are blocked (line 17), IPv6 ones allowed (line 16).
        ['clients-director-https', 'partial', [16, 17]],
        // The allow rule without Active= is inactive; the one left is limited to RtcHost.exe.
        ['edge-director-sip', 'undetermined', [25]],
        // The outbound rule is Active=FALSE; the Domain profile blocks outbound by default.
        ['director-edge-sip', 'denied', [9]],
        ['fe-edge-sip', 'not-applicable', []],
        ['edge-fe-sip', 'not-applicable', []],
        ['rp-fe-http', 'not-applicable', []],
        ['rp-fe-https', 'not-applicable', []],
        // LPort2_10=50001-50003 from anywhere.
        ['cls-50001', 'allowed', [22]],
        ['cls-50002', 'allowed', [22]],
        ['cls-50003', 'allowed', [22]],
      ],
    );
    assert.ok(report.results.every((r) => r.variant === 'domain'));
  });

  it('reports the allow rule the block rule covers as shadowed by precedence', async () => {
    const report = await auditFile('director02.yml');
    const shadowed = report.findings.filter((f) => f.kind === 'shadowed');
    assert.deepEqual(
      shadowed.map((f) => [f.severity, f.rule?.line, f.message]),
      [
        [
          'low',
          18,
          'rule at line 18 can never match: every packet it could match is decided by rules that take precedence over it (line 19)',
        ],
      ],
    );
    assert.deepEqual(
      report.findings.filter((f) => f.kind !== 'shadowed').map((f) => [f.severity, f.kind, f.requirement, f.rule?.line]),
      [
        ['high', 'missing', 'rp-director-http', 8],
        ['high', 'missing', 'director-edge-sip', 9],
        ['high', 'missing', 'clients-director-https', 17],
        ['high', 'missing', 'rp-director-https', 19],
        ['medium', 'overly-broad', null, 22],
        ['medium', 'overly-broad', null, 22],
        ['medium', 'undetermined', 'edge-director-sip', 25],
      ],
    );
  });

  it('applies StandardProfile to Private and Public, whose keys do not exist: both unfiltered', () => {
    const report = auditWindows(DIRECTOR02_REG, '12', {});
    for (const variant of ['private', 'public']) {
      const rows = report.results.filter((r) => r.variant === variant && r.status !== 'not-applicable');
      assert.ok(rows.length === 10 && rows.every((r) => r.status === 'allowed' && r.decidedBy[0]?.line === 13), variant);
    }
    assert.equal(
      result(report, 'rp-director-http', 'private').decidedBy[0].text,
      'EnableFirewall = false (StandardProfile: it applies to the Private and Public profiles when neither has a key)',
    );
    assert.equal(report.findings.filter((f) => f.kind === 'unfiltered').length, 4);
  });

  it('is decided once the deployment names the program listening on 5061', () => {
    const report = auditWindows(DIRECTOR02_REG, '12', {
      profiles: ['domain'],
      programs: [{ program: '%programfiles%\\Microsoft Lync Server 2013\\Server\\Core\\RtcHost.exe', protocol: 'tcp', ports: [5061] }],
    });
    assert.equal(result(report, 'edge-director-sip').status, 'allowed');
    assert.deepEqual(
      result(report, 'edge-director-sip').decidedBy.map((d) => d.line),
      [25],
    );
  });
});

describe('the Windows deployment options in the schema', () => {
  const deployment = (firewall: string): string =>
    windowsFile(
      'fwmatrix.yml',
      [
        'matrix: lync2013-director-single',
        'roles: {reverse-proxy-internal: [192.0.2.10], director: [198.51.100.11], front-end: [198.51.100.21], internal-clients: [203.0.113.0/24], edge-internal: [192.0.2.20]}',
        'firewalls:',
        `  - {name: d, config: ${JSON.stringify(DIRECTOR01_GPO)}, placement: host, host: [198.51.100.11], ${firewall}}`,
      ].join('\n'),
      'utf8',
    );

  it('accepts every option and refuses a keyword Microsoft does not spell so', async () => {
    const valid = deployment(
      'type: windows-gpo, profiles: [domain], localSubnet: [198.51.100.0/24], addressKeywords: {IntrAnet: [192.0.2.0/24]}, portKeywords: {RPC: [49152-65535, 135]}, programs: [{service: RTCSRV, protocol: tcp, ports: [5061], direction: inbound}], authenticatedPeers: [192.0.2.20]',
    );
    assert.equal((await runCli(['validate', valid])).code, 0);
    const bad = await runCli(['validate', deployment('type: windows-gpo, addressKeywords: {Intranet: [192.0.2.0/24]}')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /fwmatrix\.yml:4:\d+: .*expected an address keyword: LocalSubnet, DNS, DHCP, WINS, DefaultGateway, IntrAnet/);
    const noProgram = await runCli(['validate', deployment('type: windows-reg, programs: [{protocol: tcp, ports: [5061]}]')]);
    assert.equal(noProgram.code, 2);
    assert.match(noProgram.stderr, /expected program, service or package, with protocol and ports/);
  });

  it('refuses them on a firewall of another type', async () => {
    const run = await runCli(['validate', deployment('type: iptables, programs: [{program: System, protocol: tcp, ports: [80]}]')]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /programs are for Windows firewalls only \(type windows-gpo or windows-reg\)/);
  });
});

describe("the README's Windows deployment example", () => {
  it('is a valid firewall entry that decides what the fixture leaves open', async () => {
    const readme = fs.readFileSync(path.join(WINDOWS_FIXTURES, '..', '..', '..', 'README.md'), 'utf8');
    const example = /### Windows Firewall semantics[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(example, 'the README has a yaml block under "Windows Firewall semantics"');
    const file = path.join(WINDOWS_FIXTURES, `readme-example-${process.pid}.yml`);
    const roles =
      'roles: {reverse-proxy-internal: [192.0.2.10], director: [198.51.100.11], front-end: [198.51.100.21], internal-clients: [203.0.113.0/24], edge-internal: [192.0.2.20]}';
    fs.writeFileSync(file, `matrix: lync2013-director-single\n${roles}\n${example}`);
    try {
      assert.equal((await runCli(['validate', file])).code, 0);
      const run = await runCli(['audit', file, '--format', 'json', '--fail-on', 'none']);
      const report = JSON.parse(run.stdout) as AuditReport;
      assert.deepEqual(
        ['rp-director-http', 'edge-director-sip'].map((id) => result(report, id).status),
        ['allowed', 'allowed'],
      );
    } finally {
      fs.rmSync(file);
    }
  });
});
