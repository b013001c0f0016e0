import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type Rule, type Ruleset, parseIptablesSave } from '../src';
import { LARGE_REAL_CONFIGS_DIR, REAL_CONFIGS_DIR, findChain, readRealConfig } from './helpers';

/** Rules per chain of each table, counted with awk over the `-A` lines, and the chain order of the `:` lines. */
type ChainCounts = Record<string, Record<string, number>>;

function chainCounts(ruleset: Ruleset): ChainCounts {
  return Object.fromEntries(
    ruleset.tables.map((table) => [table.name, Object.fromEntries(table.chains.map((chain) => [chain.name, chain.rules.length]))]),
  );
}

function ruleAt(ruleset: Ruleset, line: number): Rule {
  const rule = ruleset.tables.flatMap((table) => table.chains.flatMap((chain) => chain.rules)).find((each) => each.line === line);
  assert.ok(rule, `no rule from line ${line}`);
  return rule;
}

const SHOREWALL_FILTER_COUNTS: Record<string, number> = {
  INPUT: 14,
  FORWARD: 13,
  OUTPUT: 14,
  Broadcast: 3,
  Drop: 12,
  Limit: 3,
  Reject: 12,
  dynamic: 0,
  'fw-gst': 6,
  'fw-loc': 3,
  'fw-net': 6,
  'fw-pvpn': 2,
  'fw-utvm': 6,
  'gst-fw': 7,
  'gst-loc': 5,
  'gst-net': 2,
  'gst-pvpn': 5,
  'gst-utvm': 5,
  gst_frwd: 10,
  ldit_fwd: 4,
  ldit_in: 4,
  lmd_fwd: 4,
  lmd_in: 4,
  loben_fwd: 4,
  loben_in: 4,
  'loc-fw': 4,
  'loc-gst': 5,
  'loc-net': 2,
  'loc-pvpn': 5,
  'loc-utvm': 5,
  loc_frwd: 10,
  logdrop: 1,
  logflags: 2,
  logreject: 1,
  lua_fwd: 4,
  lua_in: 5,
  'net-fw': 12,
  'net-gst': 6,
  'net-loc': 6,
  'net-pvpn': 6,
  'net-utvm': 6,
  net_frwd: 12,
  'pvpn-fw': 5,
  'pvpn-gst': 5,
  'pvpn-loc': 5,
  'pvpn-net': 5,
  'pvpn-utvm': 5,
  pvpn_frwd: 12,
  reject: 7,
  shorewall: 1,
  smurflog: 2,
  smurfs: 3,
  tcpflags: 5,
  'utvm-fw': 11,
  'utvm-gst': 5,
  'utvm-loc': 5,
  'utvm-net': 9,
  'utvm-pvpn': 5,
  utvm_frwd: 14,
  vshit_fwd: 4,
  vshit_in: 4,
  wg_fwd: 4,
  wg_in: 5,
  wt_fwd: 4,
  wt_in: 4,
};

describe('real iptables-save files', () => {
  it('finds the five files, and the large one apart', () => {
    assert.deepEqual(readdirSync(REAL_CONFIGS_DIR).sort(), [
      'diekmann_parser_test.rules',
      'diekmann_sqrl_shorewall_akachan.rules',
      'diekmann_synology_ip6tables_jul2016.rules',
      'diekmann_ugent_v1.4.21.rules',
      'duderandom21_vpn_policy_rules.v4',
    ]);
    assert.deepEqual(readdirSync(LARGE_REAL_CONFIGS_DIR), ['diekmann_tum_net_2015-09-03.rules']);
  });

  describe('diekmann_parser_test.rules (torture test)', () => {
    const ruleset = parseIptablesSave(readRealConfig('diekmann_parser_test.rules'));

    it('has the declared chains with their rule counts', () => {
      assert.equal(ruleset.family, 4);
      assert.deepEqual(ruleset.warnings, []);
      assert.deepEqual(chainCounts(ruleset), {
        filter: { INPUT: 0, FORWARD: 23, OUTPUT: 0, 'DOS~Pro-t_ect': 13, LOGDROP: 2, Terminal: 3, IPSEC_42: 2 },
      });
      const forward = findChain(ruleset, 'filter', 'FORWARD');
      assert.deepEqual([forward.policy, forward.policyLine, forward.line], ['DROP', 4, 4]);
      assert.deepEqual(findChain(ruleset, 'filter', 'INPUT').counters, { packets: 1101n, bytes: 228112n });
    });

    it('reads the quoted log prefix', () => {
      assert.deepEqual(ruleAt(ruleset, 10).target, {
        kind: 'jump',
        name: 'LOG',
        options: [
          { name: 'log-prefix', negated: false, values: ['!#*~%&/()=?'] },
          { name: 'log-level', negated: false, values: ['6'] },
        ],
      });
    });

    it('keeps --something-else inside multiport', () => {
      assert.deepEqual(ruleAt(ruleset, 12).matches, [
        {
          name: 'multiport',
          implicit: false,
          options: [
            { name: 'ports', negated: false, values: ['8080:8081,8082'] },
            { name: 'something-else', negated: false, values: [] },
          ],
        },
      ]);
    });

    it('reads negated tcp flags, interfaces, sources and ranges', () => {
      assert.deepEqual(ruleAt(ruleset, 13).matches[0].options, [{ name: 'tcp-flags', negated: true, values: ['FIN,SYN,RST,ACK', 'SYN'] }]);
      assert.deepEqual(ruleAt(ruleset, 20).inInterface, { value: 'eth+', negated: true });
      assert.deepEqual(ruleAt(ruleset, 22).source, { value: '131.159.0.0/16', negated: true });
      assert.deepEqual(ruleAt(ruleset, 30).matches, [
        { name: 'iprange', implicit: false, options: [{ name: 'dst-range', negated: true, values: ['127.0.0.1-127.0.10.0'] }] },
      ]);
    });

    it('jumps to the chain DOS~Pro-t_ect and goes to Terminal', () => {
      assert.deepEqual(ruleAt(ruleset, 21).target, { kind: 'jump', name: 'DOS~Pro-t_ect', options: [] });
      assert.deepEqual(ruleAt(ruleset, 31).target, { kind: 'goto', name: 'Terminal', options: [] });
    });

    it('reads rules without a target and with a negated protocol', () => {
      const noTarget = ruleAt(ruleset, 42);
      assert.deepEqual(noTarget, {
        line: 42,
        text: '-A DOS~Pro-t_ect ! -p icmp',
        spec: '! -p icmp',
        protocol: { value: 'icmp', negated: true },
        matches: [],
      });
      const two = ruleAt(ruleset, 43);
      assert.deepEqual(
        [two.protocol, two.source, two.target],
        [{ value: 'tcp', negated: true }, { value: '131.159.0.0/16', negated: true }, undefined],
      );
      assert.deepEqual(
        findChain(ruleset, 'filter', 'LOGDROP').rules.map((rule) => [rule.line, rule.spec]),
        [
          [46, ''],
          [47, '-j DROP'],
        ],
      );
    });

    it('unescapes the comment "\\"" and reads the source after it', () => {
      const rule = ruleAt(ruleset, 41);
      assert.deepEqual(rule.matches[1], {
        name: 'comment',
        implicit: false,
        options: [{ name: 'comment', negated: false, values: ['"'] }],
      });
      assert.deepEqual(rule.source, { value: '127.0.0.0/8', negated: false });
      assert.deepEqual(ruleAt(ruleset, 37).matches[0].options[0].values, ['!']);
    });

    it('reads both negated udp ports', () => {
      assert.deepEqual(ruleAt(ruleset, 45).matches, [
        {
          name: 'udp',
          implicit: false,
          options: [
            { name: 'sport', negated: true, values: ['67:68'] },
            { name: 'dport', negated: true, values: ['67:68'] },
          ],
        },
      ]);
    });
  });

  describe('diekmann_sqrl_shorewall_akachan.rules (Shorewall)', () => {
    const ruleset = parseIptablesSave(readRealConfig('diekmann_sqrl_shorewall_akachan.rules'));

    it('has four tables with their rule counts per chain', () => {
      assert.equal(ruleset.family, 4);
      assert.deepEqual(ruleset.warnings, []);
      assert.deepEqual(chainCounts(ruleset), {
        nat: { PREROUTING: 0, INPUT: 0, OUTPUT: 0, POSTROUTING: 1, lup_masq: 1 },
        mangle: { PREROUTING: 1, INPUT: 1, FORWARD: 2, OUTPUT: 1, POSTROUTING: 1, tcfor: 0, tcin: 0, tcout: 0, tcpost: 1, tcpre: 0 },
        raw: { PREROUTING: 11, OUTPUT: 11 },
        filter: SHOREWALL_FILTER_COUNTS,
      });
      assert.deepEqual(Object.keys(chainCounts(ruleset).filter), Object.keys(SHOREWALL_FILTER_COUNTS));
      assert.deepEqual(findChain(ruleset, 'mangle', 'PREROUTING').counters, { packets: 12372787n, bytes: 11033273245n });
    });

    it('reads -g to the lower-case chain reject', () => {
      assert.deepEqual(ruleAt(ruleset, 168).target, { kind: 'goto', name: 'reject', options: [] });
      assert.equal(findChain(ruleset, 'filter', 'OUTPUT').rules.filter((rule) => rule.target?.kind === 'goto').length, 1);
    });

    it('keeps recent, addrtype and CT options', () => {
      assert.deepEqual(ruleAt(ruleset, 185).matches[0], {
        name: 'recent',
        implicit: false,
        options: [
          { name: 'update', negated: false, values: [] },
          { name: 'seconds', negated: false, values: ['60'] },
          { name: 'hitcount', negated: false, values: ['2'] },
          { name: 'name', negated: false, values: ['SSHA'] },
          { name: 'mask', negated: false, values: ['255.255.255.255'] },
          { name: 'rsource', negated: false, values: [] },
        ],
      });
      assert.deepEqual(ruleAt(ruleset, 169).matches[0].options, [{ name: 'dst-type', negated: false, values: ['BROADCAST'] }]);
      assert.deepEqual(ruleAt(ruleset, 40).target, {
        kind: 'jump',
        name: 'CT',
        options: [{ name: 'helper', negated: false, values: ['Q.931'] }],
      });
    });
  });

  describe('diekmann_synology_ip6tables_jul2016.rules', () => {
    const ruleset = parseIptablesSave(readRealConfig('diekmann_synology_ip6tables_jul2016.rules'));

    it('is IPv6 with its rule counts per chain', () => {
      assert.equal(ruleset.family, 6);
      assert.deepEqual(chainCounts(ruleset), {
        filter: { INPUT: 2, FORWARD: 1, OUTPUT: 0, DOS_PROTECT: 8, FORWARD_FIREWALL: 18, INPUT_FIREWALL: 18 },
      });
    });

    it('reads limit and icmp6 options', () => {
      assert.deepEqual(ruleAt(ruleset, 14).matches, [
        { name: 'tcp', implicit: false, options: [{ name: 'tcp-flags', negated: false, values: ['FIN,SYN,RST,ACK', 'SYN'] }] },
        {
          name: 'limit',
          implicit: false,
          options: [
            { name: 'limit', negated: false, values: ['10000/sec'] },
            { name: 'limit-burst', negated: false, values: ['100'] },
          ],
        },
      ]);
      const icmp = ruleAt(ruleset, 21);
      assert.deepEqual(
        [icmp.source, icmp.protocol],
        [
          { value: 'fe80::/10', negated: false },
          { value: 'icmpv6', negated: false },
        ],
      );
      assert.deepEqual(icmp.matches, [
        { name: 'icmp6', implicit: false, options: [{ name: 'icmpv6-type', negated: false, values: ['133'] }] },
      ]);
    });
  });

  describe('diekmann_ugent_v1.4.21.rules (old negation)', () => {
    const ruleset = parseIptablesSave(readRealConfig('diekmann_ugent_v1.4.21.rules'));

    it('has its rule counts, and nat INPUT exists though never declared', () => {
      assert.equal(ruleset.family, 4);
      assert.deepEqual(chainCounts(ruleset), {
        filter: { INPUT: 58, FORWARD: 0, OUTPUT: 0 },
        nat: { PREROUTING: 0, POSTROUTING: 174, OUTPUT: 0, INPUT: 0 },
      });
      assert.deepEqual(findChain(ruleset, 'nat', 'INPUT'), { name: 'INPUT', line: 67, builtin: true, policy: 'ACCEPT', rules: [] });
      assert.deepEqual(findChain(ruleset, 'filter', 'OUTPUT').counters, { packets: 331684173n, bytes: 1582437929718n });
    });

    it('reads "-d ! x" as a negated destination', () => {
      const rule = ruleAt(ruleset, 71);
      assert.deepEqual(
        [rule.source, rule.destination, rule.protocol, rule.target],
        [
          { value: '192.168.122.0/24', negated: false },
          { value: '192.168.122.0/24', negated: true },
          { value: 'tcp', negated: false },
          { kind: 'jump', name: 'MASQUERADE', options: [{ name: 'to-ports', negated: false, values: ['1024-65535'] }] },
        ],
      );
      assert.ok(findChain(ruleset, 'nat', 'POSTROUTING').rules.every((each) => each.destination?.negated === true));
    });
  });

  describe('diekmann_tum_net_2015-09-03.rules (TUM, 4,973 rules)', () => {
    const ruleset = parseIptablesSave(readRealConfig('diekmann_tum_net_2015-09-03.rules', LARGE_REAL_CONFIGS_DIR));

    it('has 98 chains and 4,973 rules in raw, nat and filter', () => {
      assert.equal(ruleset.family, 4);
      assert.deepEqual(ruleset.warnings, []);
      const counts = chainCounts(ruleset);
      assert.deepEqual(Object.keys(counts), ['raw', 'nat', 'filter']);
      assert.equal(Object.values(counts).flatMap((chains) => Object.keys(chains)).length, 98);
      const rules = (table: string) => Object.values(counts[table]!).reduce((a, b) => a + b, 0);
      assert.deepEqual([rules('raw'), rules('nat'), rules('filter')], [24, 3, 4946]);
      assert.equal(counts.filter!['mac_1019'], 1014);
    });

    it('keeps the anonymised MAC address as written (iptables-restore would refuse it)', () => {
      assert.deepEqual(ruleAt(ruleset, 1913).matches, [
        { name: 'mac', implicit: false, options: [{ name: 'mac-source', negated: false, values: ['XX:XX:XX:XX:XX:XX'] }] },
      ]);
    });

    it('reads state, tcp flags and a multiport list with a range', () => {
      assert.deepEqual(ruleAt(ruleset, 998).matches, [
        { name: 'state', implicit: false, options: [{ name: 'state', negated: false, values: ['NEW'] }] },
        { name: 'tcp', implicit: false, options: [{ name: 'tcp-flags', negated: false, values: ['FIN,SYN,RST,ACK', 'SYN'] }] },
        { name: 'multiport', implicit: false, options: [{ name: 'dports', negated: false, values: ['22,80,1080,2086:2096,4433,8333'] }] },
      ]);
    });
  });

  describe('duderandom21_vpn_policy_rules.v4', () => {
    const ruleset = parseIptablesSave(readRealConfig('duderandom21_vpn_policy_rules.v4'));

    it('reads ":LOGGING - DROP [0:0]" as a user chain with a warning', () => {
      assert.equal(ruleset.family, 4);
      assert.deepEqual(chainCounts(ruleset), {
        nat: { PREROUTING: 0, INPUT: 0, OUTPUT: 0, POSTROUTING: 1 },
        filter: { INPUT: 7, FORWARD: 0, OUTPUT: 9, LOGGING: 2 },
        mangle: { PREROUTING: 4, INPUT: 0, FORWARD: 0, OUTPUT: 4, POSTROUTING: 0 },
      });
      assert.deepEqual(findChain(ruleset, 'filter', 'LOGGING'), {
        name: 'LOGGING',
        line: 15,
        builtin: false,
        policy: null,
        rules: findChain(ruleset, 'filter', 'LOGGING').rules,
      });
      assert.deepEqual(ruleset.warnings, [
        { line: 15, message: 'iptables-restore ignores "DROP [0:0]" after the "-" of user chain LOGGING' },
      ]);
      assert.deepEqual(findChain(ruleset, 'filter', 'OUTPUT').counters, { packets: 0n, bytes: 10n });
    });

    it('skips the commented-out rule and reads mark, limit and CONNMARK', () => {
      assert.deepEqual(
        findChain(ruleset, 'filter', 'OUTPUT').rules.map((rule) => rule.line),
        [23, 24, 25, 26, 27, 28, 29, 30, 31],
      );
      assert.deepEqual(ruleAt(ruleset, 33).matches, [
        { name: 'limit', implicit: false, options: [{ name: 'limit', negated: false, values: ['2/sec'] }] },
      ]);
      assert.deepEqual(ruleAt(ruleset, 33).target?.options[0], { name: 'log-prefix', negated: false, values: ['IPTables-Dropped: '] });
      assert.deepEqual(ruleAt(ruleset, 45).target, {
        kind: 'jump',
        name: 'MARK',
        options: [{ name: 'set-xmark', negated: false, values: ['0x1/0xffffffff'] }],
      });
      assert.deepEqual(
        ruleAt(ruleset, 44).target?.options.map((option) => option.name),
        ['restore-mark', 'nfmask', 'ctmask'],
      );
    });
  });
});
