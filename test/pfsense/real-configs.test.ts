import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { auditConfiguration } from '../../src/app/audit';
import { traceConfiguration, type Probe } from '../../src/app/trace';
import { runCli } from '../helpers/cli';
import { REAL } from './helpers';

/*
 * Every real config.xml of fixtures/real/pfsense audited as a network firewall, with the Lync
 * roles on the LAN and the first optional interface: every rule the file holds is counted, what
 * the firewall would not load is a warning, and `fwmatrix parse` shows the rules, aliases,
 * interfaces, NAT and warnings.
 */

const ROLES = {
  director: ['192.168.1.10'],
  'front-end': ['192.168.1.20'],
  'director-vip': ['192.168.1.30'],
  'internal-clients': ['192.168.1.128/25'],
  'edge-internal': ['10.0.0.20'],
  'reverse-proxy-internal': ['10.0.0.10'],
};

/** Per file: its type, the filter rules it holds, and the warnings (counted by hand from the XML). */
const EXPECTED: Record<string, { type: string; rules: number; warnings: number }> = {
  'opnsense_core_factory_mvc.config.xml': { type: 'opnsense', rules: 2, warnings: 1 },
  'opnsense_opndossier_sample.config.6.xml': { type: 'opnsense', rules: 51, warnings: 0 },
  'pffocus_pfSense-CE-2.3.4-default.xml': { type: 'pfsense', rules: 2, warnings: 1 },
  // Ten rules repeat <ipprotocol>; the WAN's networks are not given; a rule uses an alias that is not there.
  'pfsensible_nat_port_forward_config.xml': { type: 'pfsense', rules: 52, warnings: 13 },
  // Three rules are on opt2, which is not enabled.
  'pfsensible_rule_config.xml': { type: 'pfsense', rules: 56, warnings: 3 },
};

describe('the real config.xml files', () => {
  it('has an expectation for every file', () => {
    assert.deepEqual(fs.readdirSync(REAL).sort(), Object.keys(EXPECTED).sort());
  });

  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(`audits ${file}, counting its ${expected.rules} rules`, () => {
      const report = auditConfiguration(
        { config: path.join(REAL, file), matrix: 'lync2013-director-hlb', roles: ROLES, placement: 'network' },
        { failOn: 'none' },
      );
      assert.deepEqual(
        report.firewalls.map((f) => [f.type, f.rules, f.placement]),
        [[expected.type, expected.rules, 'network']],
      );
      assert.equal(report.warnings.length, expected.warnings, JSON.stringify(report.warnings, null, 1));
      assert.equal(report.results.length, 14);
      for (const result of report.results) if (result.status === 'undetermined') assert.ok(result.reasons.length > 0, result.requirement);
    });
  }

  it('decides the pfsensible rules as pfSense does: a floating quick pass, bogons, a LAN block', () => {
    const config = path.join(REAL, 'pfsensible_rule_config.xml');
    const trace = (probe: Probe): [string, number | undefined] => {
      const out = traceConfiguration(config, probe);
      return [out.verdict, out.decidedBy?.line];
    };
    // From WAN, test_rule_floating_quick (a floating quick pass of all TCP) decides first...
    assert.deepEqual(trace({ from: '8.8.8.8', to: '192.168.1.10', proto: 'tcp', dport: 5061, in: 'wan', out: 'lan' }), ['accept', 567]);
    // ...but not before the bogon block of the WAN (a private source).
    assert.deepEqual(trace({ from: '192.168.240.20', to: '192.168.1.10', proto: 'tcp', dport: 5061, in: 'wan', out: 'lan' }), ['drop', 88]);
    // From LAN, block_all_lan decides before anything passes 5061.
    assert.deepEqual(trace({ from: '192.168.1.10', to: '10.0.0.20', proto: 'tcp', dport: 5061, in: 'lan', out: 'opt1' }), ['drop', 1010]);
    // antilock_out_1 routes through GW_LAN: the gateway changes where the packet goes, not whether it passes.
    assert.deepEqual(trace({ from: '192.168.1.10', to: '10.0.0.20', proto: 'tcp', dport: 22, in: 'lan', out: 'opt1' }), ['accept', 594]);
  });

  it('parses each file into rules, aliases, interfaces, NAT and warnings', async () => {
    for (const file of Object.keys(EXPECTED)) {
      const run = await runCli(['parse', path.join(REAL, file)]);
      assert.equal(run.code, 0, run.stderr);
      const model = JSON.parse(run.stdout) as {
        type: string;
        warnings: unknown[];
        interfaces: { name: string }[];
        trees: {
          tree: {
            filterRules: unknown[];
            mvcFilterRules: unknown[];
            aliases: unknown[];
            interfaces: unknown[];
            portForwards: unknown[];
            outboundNat?: unknown;
          };
        }[];
        programs: { family: number; chains: { name: string; rules: unknown[] }[] }[];
      };
      const [{ tree }] = model.trees;
      assert.equal(tree.filterRules.length + tree.mvcFilterRules.length, EXPECTED[file].rules, file);
      assert.ok(Array.isArray(tree.aliases) && Array.isArray(tree.portForwards) && tree.interfaces.length > 0, file);
      assert.equal(model.warnings.length, EXPECTED[file].warnings, file);
      assert.deepEqual(
        model.programs.map((p) => [p.family, p.chains.map((c) => c.name)]),
        [
          [4, ['pf/in', 'pf/out']],
          [6, ['pf/in', 'pf/out']],
        ],
      );
    }
  });
});
