import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { type XmlElement, parseXml } from '../src';

/** The repository root: the nearest folder above this file with a package.json and `parsers/` (so dist/ does not count). */
function findRepoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'parsers')) && existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no parsers/ folder above ${__dirname}`);
  }
}

const REAL = path.join(findRepoRoot(), 'fixtures', 'real');
const FIREWALL_NAMESPACE = 'http://www.microsoft.com/GroupPolicy/Settings/WindowsFirewall';

function descendants(element: XmlElement): XmlElement[] {
  return [element, ...element.children.flatMap(descendants)];
}

describe('the real XML files in fixtures/real', () => {
  it('reads every pfSense and OPNsense config.xml, counting its elements', () => {
    const counts = Object.fromEntries(
      readdirSync(path.join(REAL, 'pfsense')).map((file) => {
        const { root, elementCount } = parseXml(readFileSync(path.join(REAL, 'pfsense', file), 'utf8'));
        return [file, [root.name, elementCount]];
      }),
    );
    assert.deepEqual(counts, {
      'opnsense_core_factory_mvc.config.xml': ['opnsense', 148],
      'opnsense_opndossier_sample.config.6.xml': ['opnsense', 3516],
      'pffocus_pfSense-CE-2.3.4-default.xml': ['pfsense', 231],
      'pfsensible_nat_port_forward_config.xml': ['pfsense', 1965],
      'pfsensible_rule_config.xml': ['pfsense', 1988],
    });
  });

  it('finds the firewall rules of a GPO report by namespace, whatever the prefix (q2: in one report, q6: in another)', () => {
    const read = (file: string): XmlElement =>
      parseXml(new TextDecoder('utf-16le').decode(readFileSync(path.join(REAL, 'windows', file)))).root;
    const gpo = descendants(read('gporeport_sn_domain_firewall_baseline.xml'));
    const rules = (localName: string): XmlElement[] =>
      gpo.filter((element) => element.namespace === FIREWALL_NAMESPACE && element.localName === localName);
    assert.equal(rules('InboundFirewallRules').length, 11);
    assert.equal(rules('OutboundFirewallRules').length, 82);
    assert.equal(rules('InboundFirewallRules')[0].prefix, 'q2');
    const rsop = descendants(read('rsop_win11_24h2_msft_baseline.xml'));
    const firewallSettings = rsop.filter((element) => element.namespace === FIREWALL_NAMESPACE);
    assert.ok(firewallSettings.length > 0);
    assert.ok(firewallSettings.every((element) => element.prefix === 'q6'));
    assert.equal(firewallSettings.filter((element) => element.localName.endsWith('FirewallRules')).length, 0);
  });
});
