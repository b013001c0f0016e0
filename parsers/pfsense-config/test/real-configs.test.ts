import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type ConfigDocument, parseConfigXml } from '../src';
import { REAL_CONFIGS_DIR, readRealConfig } from './helpers';

/** What each real file holds, counted by hand (and with an independent XML reader) from the XML. */
const EXPECTED: Record<
  string,
  {
    vendor: string;
    rules: number;
    mvcRules: number;
    aliases: number;
    interfaces: number;
    portForwards: number;
    outbound: number;
    floating: number;
    disabled: number;
    firstRuleLine: number;
    warnings: number;
  }
> = {
  'opnsense_core_factory_mvc.config.xml': {
    vendor: 'opnsense',
    rules: 0,
    mvcRules: 2,
    aliases: 0,
    interfaces: 2,
    portForwards: 0,
    outbound: 0,
    floating: 0,
    disabled: 0,
    firstRuleLine: 118,
    warnings: 0,
  },
  'opnsense_opndossier_sample.config.6.xml': {
    vendor: 'opnsense',
    rules: 51,
    mvcRules: 0,
    aliases: 0,
    interfaces: 54,
    portForwards: 0,
    outbound: 51,
    floating: 0,
    disabled: 1,
    firstRuleLine: 2990,
    warnings: 0,
  },
  'pffocus_pfSense-CE-2.3.4-default.xml': {
    vendor: 'pfsense',
    rules: 2,
    mvcRules: 0,
    aliases: 0,
    interfaces: 2,
    portForwards: 0,
    outbound: 0,
    floating: 0,
    disabled: 0,
    firstRuleLine: 121,
    warnings: 0,
  },
  'pfsensible_nat_port_forward_config.xml': {
    vendor: 'pfsense',
    rules: 52,
    mvcRules: 0,
    aliases: 17,
    interfaces: 5,
    portForwards: 3,
    outbound: 3,
    floating: 1,
    disabled: 1,
    firstRuleLine: 337,
    // Ten rules repeat <ipprotocol>inet</ipprotocol>.
    warnings: 10,
  },
  'pfsensible_rule_config.xml': {
    vendor: 'pfsense',
    rules: 56,
    mvcRules: 0,
    aliases: 18,
    interfaces: 5,
    portForwards: 1,
    outbound: 1,
    floating: 2,
    disabled: 1,
    firstRuleLine: 266,
    warnings: 0,
  },
};

function counts(config: ConfigDocument): (typeof EXPECTED)[string] {
  const firstRule = config.filterRules[0] ?? config.mvcFilterRules[0];
  return {
    vendor: config.vendor,
    rules: config.filterRules.length,
    mvcRules: config.mvcFilterRules.length,
    aliases: config.aliases.length,
    interfaces: config.interfaces.length,
    portForwards: config.portForwards.length,
    outbound: config.outboundNat?.rules.length ?? 0,
    floating: config.filterRules.filter((rule) => rule.floating !== undefined).length,
    disabled: config.filterRules.filter((rule) => rule.disabled !== undefined).length,
    firstRuleLine: firstRule.line,
    warnings: config.warnings.length,
  };
}

describe('the real config.xml files in fixtures/real/pfsense', () => {
  it('has an expectation for every file', () => {
    assert.deepEqual(readdirSync(REAL_CONFIGS_DIR).sort(), Object.keys(EXPECTED).sort());
  });

  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(`reads ${file}: ${expected.rules + expected.mvcRules} rules, ${expected.aliases} aliases, ${expected.portForwards} port forwards`, () => {
      assert.deepEqual(counts(parseConfigXml(readRealConfig(file))), expected);
    });
  }

  it('keeps a rule without <type>, the port forward links and the NAT rules of pfsensible_nat_port_forward_config.xml', () => {
    const config = parseConfigXml(readRealConfig('pfsensible_nat_port_forward_config.xml'));
    const untyped = config.filterRules.filter((rule) => rule.type === undefined);
    assert.deepEqual(
      untyped.map((rule) => [rule.line, rule.associatedRuleId?.value, rule.destination?.network?.value, rule.destination?.port?.value]),
      [[337, 'nat_5e03858acc6b82.92150982', 'wanip', '22022']],
    );
    assert.deepEqual(
      config.portForwards.map((forward) => [
        forward.line,
        forward.descr?.value,
        forward.associatedRuleId?.value,
        forward.destination?.network?.value,
      ]),
      [
        [263, 'one', '', 'wanip'],
        [287, 'two', 'pass', 'wanip'],
        [311, 'last', 'nat_5e03858acc6b82.92150982', 'wanip'],
      ],
    );
  });

  it('keeps the aliases of pfsensible_rule_config.xml with their types, urltable ones included', () => {
    const config = parseConfigXml(readRealConfig('pfsensible_rule_config.xml'));
    const types = new Map<string, number>();
    for (const alias of config.aliases) types.set(alias.type?.value ?? '', (types.get(alias.type?.value ?? '') ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(types), { port: 5, host: 7, network: 4, urltable: 1, urltable_ports: 1 } as Record<string, number>);
    const floating = config.filterRules.filter((rule) => rule.floating !== undefined);
    assert.deepEqual(
      floating.map((rule) => [rule.descr?.value, rule.direction?.value, rule.quick?.value]),
      [
        ['test_rule_floating', 'any', undefined],
        ['test_rule_floating_quick', 'any', 'yes'],
      ],
    );
  });
});
