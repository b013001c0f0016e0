import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { auditDeployment } from '../../src/app/audit';
import { FIXTURES } from './helpers';

/*
 * The Lync site of fixtures/pfsense/fwmatrix.yml, audited on its pfSense and its OPNsense
 * firewall: every requirement's status and deciding rules (line and path in the config.xml),
 * the findings, and the warnings about rules the firewall does not load.
 */

const report = auditDeployment(path.join(FIXTURES, 'fwmatrix.yml'), { failOn: 'none' });

function results(firewall: string): Record<string, [string, ...[number, string | undefined][]]> {
  return Object.fromEntries(
    report.results
      .filter((r) => r.firewall === firewall)
      .map((r) => [r.requirement, [r.status, ...r.decidedBy.map((d) => [d.line, d.path] as [number, string | undefined])]]),
  );
}

describe('the Lync site behind pfSense', () => {
  it('counts every rule of the file', () => {
    assert.deepEqual(
      report.firewalls.map((f) => [f.name, f.type, f.rules, f.placement]),
      [
        ['lync-pfsense', 'pfsense', 12, 'network'],
        ['lync-opnsense', 'opnsense', 13, 'network'],
      ],
    );
  });

  it('gives every requirement its status and deciding rules', () => {
    assert.deepEqual(results('lync-pfsense'), {
      // A port forward with rdr pass decides; one with a linked filter rule leaves it to that rule.
      'rp-director-http': ['allowed', [114, '/pfsense/nat/rule[1]']],
      'rp-director-https': ['allowed', [146, '/pfsense/filter/rule[1]']],
      'director-fe-https': ['not-applicable'],
      // The clients reach the published address on the LAN side, where nothing forwards it.
      'clients-director-http': ['denied', [145, '/pfsense/filter']],
      'clients-director-https': ['denied', [145, '/pfsense/filter']],
      // inet46: IPv4 and IPv6 (ipv6allow is on).
      'edge-director-sip': ['allowed', [177, '/pfsense/filter/rule[3]']],
      // No LAN rule matches: the non-quick floating pass is the last match.
      'director-edge-sip': ['allowed', [289, '/pfsense/filter/rule[10]']],
      // Let in on LAN, blocked leaving into the DMZ.
      'fe-edge-sip': ['denied', [271, '/pfsense/filter/rule[9]']],
      'edge-fe-sip': ['allowed', [192, '/pfsense/filter/rule[4]']],
      // fe_pool nests front_end.
      'rp-fe-http': ['allowed', [162, '/pfsense/filter/rule[2]']],
      'rp-fe-https': ['allowed', [162, '/pfsense/filter/rule[2]']],
      // <not/> lets the lower half of the DMZ in; the default deny stops the upper half.
      'cls-50001': ['partial', [145, '/pfsense/filter'], [207, '/pfsense/filter/rule[5]']],
      // The floating quick block beats the interface pass.
      'cls-50002': ['partial', [145, '/pfsense/filter'], [223, '/pfsense/filter/rule[6]']],
      'cls-50003': ['partial', [145, '/pfsense/filter'], [207, '/pfsense/filter/rule[5]']],
    });
  });

  it('names the floating quick block as what denies cls-50002 from the DMZ, with a witness there', () => {
    const finding = report.findings.find((f) => f.firewall === 'lync-pfsense' && f.requirement === 'cls-50002');
    assert.deepEqual(
      finding && [finding.kind, finding.rule?.line, finding.rule?.path, finding.witness?.in, finding.witness?.out, finding.witness?.chain],
      ['missing', 223, '/pfsense/filter/rule[6]', 'opt1', 'lan', 'forwarded'],
    );
  });

  it('finds the rule pfSense does not load that could serve a denied required flow', () => {
    const notLoaded = report.findings.filter((f) => f.kind === 'not-loaded');
    assert.deepEqual(
      notLoaded.map((f) => [f.firewall, f.requirement, f.severity, f.rule?.line, f.rule?.path, f.witness?.dst, f.witness?.dport]),
      [['lync-pfsense', 'clients-director-https', 'medium', 256, '/pfsense/filter/rule[8]', '192.0.2.50', 443]],
    );
    assert.equal(
      notLoaded[0].message,
      'rule at line 256 could let required flow tcp/443 from internal-clients to director-vip through, but the firewall does not load it: destination alias web_proxy is not defined',
    );
  });

  it('hints at the rules that almost serve a denied flow, never an implicit one nor one that did its part', () => {
    const hints = (requirement: string): [number, string][] =>
      (report.findings.find((f) => f.firewall === 'lync-pfsense' && f.requirement === requirement)?.hints ?? []).map((h) => [
        h.rule.line,
        h.condition,
      ]);
    // Not the anti-lockout rule (line 12), which pfSense writes itself.
    assert.deepEqual(hints('clients-director-https'), []);
    // The LAN pass at line 241 let the packet in; it is stopped leaving into the DMZ: no order hint.
    assert.deepEqual(hints('fe-edge-sip'), [[289, 'src']]);
    // The floating quick block decides before the interface pass at line 207.
    assert.deepEqual(hints('cls-50002'), [
      [146, 'dport'],
      [207, 'order'],
    ]);
  });

  it('warns of the rules pfSense does not load, where they are', () => {
    assert.deepEqual(
      report.warnings.filter((w) => w.firewall === 'lync-pfsense').map((w) => [w.line, w.path, w.message]),
      [
        [256, '/pfsense/filter/rule[8]', 'rule not loaded: destination alias web_proxy is not defined'],
        [320, '/pfsense/filter/rule[12]', 'rule not loaded: its interface opt2 is not an enabled interface or an interface group'],
      ],
    );
  });
});

describe('the Lync site behind OPNsense', () => {
  it('gives every requirement its status and deciding rules', () => {
    assert.deepEqual(results('lync-opnsense'), {
      'rp-director-http': ['allowed', [58, '/opnsense/nat/rule[1]']],
      // The legacy rule with <disabled>0</disabled> is loaded, and matches the translated packet first.
      'rp-director-https': ['allowed', [118, '/opnsense/filter/rule[3]']],
      'director-fe-https': ['not-applicable'],
      // OPNsense's anti-lockout rule passes the GUI ports to every address of the firewall.
      'clients-director-http': ['allowed', [10, '/opnsense/system/webgui']],
      'clients-director-https': ['allowed', [10, '/opnsense/system/webgui']],
      'edge-director-sip': ['allowed', [264, '/opnsense/OPNsense/Firewall/Filter/rules/rule[5]']],
      'director-edge-sip': ['allowed', [225, '/opnsense/OPNsense/Firewall/Filter/rules/rule[2]']],
      'fe-edge-sip': ['denied', [238, '/opnsense/OPNsense/Firewall/Filter/rules/rule[3]']],
      'edge-fe-sip': ['allowed', [276, '/opnsense/OPNsense/Firewall/Filter/rules/rule[6]']],
      'rp-fe-http': ['allowed', [252, '/opnsense/OPNsense/Firewall/Filter/rules/rule[4]']],
      'rp-fe-https': ['allowed', [252, '/opnsense/OPNsense/Firewall/Filter/rules/rule[4]']],
      // The excluded upper half of the DMZ falls to the default deny.
      'cls-50001': ['partial', [91, '/opnsense/filter'], [288, '/opnsense/OPNsense/Firewall/Filter/rules/rule[7]']],
      'cls-50002': ['partial', [91, '/opnsense/filter'], [211, '/opnsense/OPNsense/Firewall/Filter/rules/rule[1]']],
      'cls-50003': ['partial', [91, '/opnsense/filter'], [288, '/opnsense/OPNsense/Firewall/Filter/rules/rule[7]']],
    });
  });

  it('finds the rules that let through more than required, none of them implicit', () => {
    assert.deepEqual(
      report.findings
        .filter((f) => f.firewall === 'lync-opnsense' && f.requirement === null)
        .map((f) => [f.kind, f.rule?.line, f.rule?.path]),
      [
        ['overly-broad', 58, '/opnsense/nat/rule[1]'],
        ['extraneous', 74, '/opnsense/nat/rule[2]'],
        ['overly-broad', 118, '/opnsense/filter/rule[3]'],
        ['overly-broad', 252, '/opnsense/OPNsense/Firewall/Filter/rules/rule[4]'],
        ['extraneous', 300, '/opnsense/OPNsense/Firewall/Filter/rules/rule[8]'],
      ],
    );
  });

  it('warns of the rule OPNsense disables', () => {
    assert.deepEqual(
      report.warnings.filter((w) => w.firewall === 'lync-opnsense').map((w) => [w.line, w.path]),
      [[313, '/opnsense/OPNsense/Firewall/Filter/rules/rule[9]']],
    );
  });
});
