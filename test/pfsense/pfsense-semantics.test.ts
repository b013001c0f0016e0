import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../src/model/errors';
import { configXml, decision, lineOf, load, messages, rule, trace } from './helpers';

const tcp = (from: string, to: string, dport: number, inIface: string, outIface?: string) => ({
  from,
  to,
  proto: 'tcp',
  dport,
  in: inIface,
  ...(outIface ? { out: outIface } : {}),
});

describe('pfSense: order, quick and last match', () => {
  const text = configXml('pfsense', {
    rules: [
      rule(
        '<type>pass</type><interface>opt1</interface><protocol>tcp</protocol><source><any/></source><destination><address>192.0.2.10</address><port>443</port></destination>',
        'DMZ to web',
      ),
      rule(
        '<type>block</type><interface>opt1</interface><floating>yes</floating><quick>yes</quick><direction>in</direction><protocol>tcp</protocol><source><address>198.51.100.66</address></source><destination><any/></destination>',
        'floating quick block',
      ),
      rule(
        '<type>pass</type><interface>lan</interface><floating>yes</floating><direction>in</direction><protocol>tcp</protocol><source><network>lan</network></source><destination><address>198.51.100.20</address><port>22</port></destination>',
        'floating fallback pass',
      ),
      rule(
        '<type>block</type><interface>opt1</interface><floating>yes</floating><quick>yes</quick><direction>out</direction><protocol>tcp</protocol><source><any/></source><destination><address>198.51.100.30</address></destination>',
        'floating out block',
      ),
      rule(
        '<type>pass</type><interface>lan</interface><protocol>tcp</protocol><source><any/></source><destination><any/></destination>',
        'LAN to any',
      ),
      rule(
        '<type>pass</type><interface>opt1</interface><floating>yes</floating><direction>in</direction><protocol>tcp</protocol><source><address>198.51.100.77</address></source><destination><any/></destination>',
        'floating non-quick pass behind a quick block',
      ),
      rule(
        '<type>block</type><interface>opt1</interface><protocol>tcp</protocol><source><address>198.51.100.77</address></source><destination><any/></destination>',
        'DMZ block',
      ),
    ],
  });
  const { programs } = load(text);

  it('a floating quick rule beats an interface pass written before it', () => {
    const out = trace(programs, tcp('198.51.100.66', '192.0.2.10', 443, 'opt1', 'lan'));
    assert.deepEqual(decision(out), ['drop', lineOf(text, 'floating quick block'), '/pfsense/filter/rule[2]']);
    assert.deepEqual(decision(trace(programs, tcp('198.51.100.67', '192.0.2.10', 443, 'opt1', 'lan'))), [
      'accept',
      lineOf(text, 'DMZ to web'),
      '/pfsense/filter/rule[1]',
    ]);
  });

  it('a non-quick floating pass is the fallback when no quick rule matches, beating the default deny', () => {
    // No LAN interface rule matches a packet from the DMZ; the floating pass is the last non-quick match.
    const out = trace(programs, tcp('192.0.2.5', '198.51.100.20', 22, 'lan', 'opt1'));
    assert.deepEqual(decision(out), ['accept', lineOf(text, 'LAN to any'), '/pfsense/filter/rule[5]']);
    const fallback = load(
      configXml('pfsense', {
        rules: [
          rule(
            '<type>pass</type><interface>lan</interface><floating>yes</floating><direction>in</direction><protocol>tcp</protocol><source><any/></source><destination><any/></destination>',
            'fallback',
          ),
        ],
      }),
    );
    const traced = trace(fallback.programs, tcp('192.0.2.5', '198.51.100.20', 22, 'lan', 'opt1'));
    assert.equal(traced.verdict, 'accept');
    assert.match(traced.decidedBy?.text ?? '', /^pass in on lan inet proto tcp from any to any "fallback"$/);
  });

  it('an interface rule is quick: a non-quick floating pass never overrides it', () => {
    assert.deepEqual(decision(trace(programs, tcp('198.51.100.77', '192.0.2.10', 80, 'opt1', 'lan'))), [
      'drop',
      lineOf(text, 'DMZ block'),
      '/pfsense/filter/rule[7]',
    ]);
  });

  it('a floating out block on the egress interface drops what an interface rule let in', () => {
    const out = trace(programs, tcp('192.0.2.5', '198.51.100.30', 80, 'lan', 'opt1'));
    assert.deepEqual(decision(out), ['drop', lineOf(text, 'floating out block'), '/pfsense/filter/rule[4]']);
    const steps = out.steps.filter((s) => s.matched).map((s) => [s.table, s.chain, s.line, s.action]);
    assert.deepEqual(steps, [
      ['pfSense', 'in', lineOf(text, 'LAN to any'), 'accept'],
      ['pfSense', 'out', lineOf(text, 'floating out block'), 'drop'],
    ]);
  });

  it('the default deny decides when nothing else matches, located at <filter>', () => {
    const out = trace(programs, { from: '198.51.100.5', to: '192.0.2.10', proto: 'udp', dport: 53, in: 'opt1', out: 'lan' });
    assert.deepEqual(decision(out), ['drop', lineOf(text, '<filter>', 'filter'), '/pfsense/filter']);
    assert.equal(out.decidedBy?.text, 'block in inet all "Default deny rule IPv4"');
  });
});

describe('pfSense: fields', () => {
  it('reads every spelling of <disabled> as disabled, even 0', () => {
    for (const spelling of ['<disabled/>', '<disabled></disabled>', '<disabled>0</disabled>', '<disabled>yes</disabled>']) {
      const text = configXml('pfsense', {
        rules: [
          rule(`<type>pass</type><interface>lan</interface><source><any/></source><destination><any/></destination>${spelling}`, 'off'),
        ],
      });
      const out = trace(load(text).programs, tcp('192.0.2.5', '198.51.100.9', 80, 'lan', 'opt1'));
      assert.equal(out.decidedBy?.text, 'block in inet all "Default deny rule IPv4"', spelling);
    }
  });

  it('takes a rule without <type> as pass, and makes a port without a protocol TCP', () => {
    const text = configXml('pfsense', {
      rules: [rule('<interface>lan</interface><source><any/></source><destination><any/><port>8080</port></destination>', 'untyped')],
    });
    const { programs } = load(text);
    assert.deepEqual(decision(trace(programs, tcp('192.0.2.5', '198.51.100.9', 8080, 'lan', 'opt1'))), [
      'accept',
      lineOf(text, 'untyped'),
      '/pfsense/filter/rule',
    ]);
    assert.equal(
      trace(programs, { from: '192.0.2.5', to: '198.51.100.9', proto: 'udp', dport: 8080, in: 'lan', out: 'opt1' }).verdict,
      'drop',
    );
    assert.equal(
      trace(programs, tcp('192.0.2.5', '198.51.100.9', 8080, 'lan', 'opt1')).decidedBy?.text,
      'pass in quick on lan inet proto tcp from any to any port 8080 "untyped"',
    );
  });

  it('reads inet46 as an IPv4 and an IPv6 rule, and drops the IPv6 copy of an address the interface lacks', () => {
    const text = configXml('pfsense', {
      interfaces: `<interfaces>
<lan><enable/><if>em1</if><ipaddr>192.0.2.1</ipaddr><subnet>24</subnet><ipaddrv6>2001:db8:1::1</ipaddrv6><subnetv6>64</subnetv6></lan>
<opt1><enable/><if>em2</if><ipaddr>198.51.100.1</ipaddr><subnet>24</subnet></opt1>
</interfaces>`,
      rules: [
        rule(
          '<type>pass</type><interface>lan</interface><ipprotocol>inet46</ipprotocol><protocol>tcp</protocol><source><network>lan</network></source><destination><any/><port>443</port></destination>',
          'both families',
        ),
        rule(
          '<type>pass</type><interface>opt1</interface><ipprotocol>inet46</ipprotocol><protocol>tcp</protocol><source><any/></source><destination><network>opt1ip</network><port>22</port></destination>',
          'to the DMZ address',
        ),
      ],
    });
    const { programs, warnings } = load(text);
    assert.deepEqual(decision(trace(programs, tcp('192.0.2.5', '198.51.100.9', 443, 'lan', 'opt1'))), [
      'accept',
      lineOf(text, 'both families'),
      '/pfsense/filter/rule[1]',
    ]);
    const v6 = trace(programs, tcp('2001:db8:1::5', '2001:db8:ffff::9', 443, 'lan', 'opt1'));
    assert.deepEqual(decision(v6), ['accept', lineOf(text, 'both families'), '/pfsense/filter/rule[1]']);
    assert.equal(v6.decidedBy?.text, 'pass in quick on lan inet6 proto tcp from lan net to any port 443 "both families"');
    assert.deepEqual(messages(warnings), [
      [lineOf(text, 'to the DMZ address'), 'its IPv6 copy is not loaded: destination opt1ip: OPT1 has no IPv6 address'],
    ]);
  });

  it('reads ICMP types, ipv6-icmp in the IPv6 copy', () => {
    const text = configXml('pfsense', {
      rules: [
        rule(
          '<type>pass</type><interface>lan</interface><ipprotocol>inet46</ipprotocol><protocol>icmp</protocol><icmptype>echoreq</icmptype><source><any/></source><destination><any/></destination>',
          'ping',
        ),
      ],
    });
    const { programs } = load(text);
    assert.equal(
      trace(programs, { from: '192.0.2.5', to: '198.51.100.9', proto: 'icmp', icmpType: 8, in: 'lan', out: 'opt1' }).verdict,
      'accept',
    );
    assert.equal(
      trace(programs, { from: '192.0.2.5', to: '198.51.100.9', proto: 'icmp', icmpType: 13, in: 'lan', out: 'opt1' }).verdict,
      'drop',
    );
    assert.equal(
      trace(programs, { from: '2001:db8:1::5', to: '2001:db8:2::9', proto: 58, icmpType: 128, in: 'lan', out: 'opt1' }).verdict,
      'accept',
    );
  });

  it('makes a scheduled rule, a tagged rule and an OS rule undetermined, with the reason', () => {
    const text = configXml('pfsense', {
      rules: [
        rule(
          '<type>pass</type><interface>lan</interface><protocol>tcp</protocol><source><any/></source><destination><any/><port>80</port></destination><sched>workhours</sched>',
          'scheduled',
        ),
        rule(
          '<type>pass</type><interface>lan</interface><protocol>tcp</protocol><source><any/></source><destination><any/><port>81</port></destination><tagged>VOIP</tagged>',
          'tagged',
        ),
        rule(
          '<type>pass</type><interface>lan</interface><protocol>tcp</protocol><source><any/></source><destination><any/><port>82</port></destination><os>Windows</os>',
          'os',
        ),
      ],
      extra: '<schedules><schedule><name>workhours</name><timerange><hour>8:00-17:00</hour></timerange></schedule></schedules>',
    });
    const { programs } = load(text);
    const reasons = [80, 81, 82].map((port) => {
      const out = trace(programs, tcp('192.0.2.5', '198.51.100.9', port, 'lan', 'opt1'));
      assert.equal(out.verdict, 'undetermined');
      return out.reasons.map((r) => [r.rule.line, r.why]);
    });
    assert.deepEqual(reasons, [
      [[lineOf(text, 'scheduled'), 'it applies only while schedule workhours is active']],
      [[lineOf(text, 'tagged'), 'it matches only packets another rule tagged VOIP']],
      [[lineOf(text, '<descr>os<'), 'it matches only senders whose OS fingerprint is Windows']],
    ]);
  });
});

describe('pfSense: addresses and aliases', () => {
  const aliases = [
    '<alias><name>web</name><type>host</type><address>192.0.2.10 192.0.2.11</address></alias>',
    '<alias><name>servers</name><type>network</type><address>web 192.0.2.64/26</address></alias>',
    '<alias><name>feed</name><type>urltable</type><url>https://198.51.100.200/list.txt</url></alias>',
    '<alias><name>feedports</name><type>urltable_ports</type><url>https://198.51.100.200/ports.txt</url></alias>',
    '<alias><name>cdn</name><type>host</type><address>192.0.2.90 cdn.example.org</address></alias>',
  ].join('\n');
  const text = configXml('pfsense', {
    aliases,
    rules: [
      rule(
        '<type>pass</type><interface>opt1</interface><protocol>tcp</protocol><source><any/></source><destination><address>servers</address><port>443</port></destination>',
        'nested',
      ),
      rule(
        '<type>pass</type><interface>opt1</interface><protocol>tcp</protocol><source><any/></source><destination><address>nonesuch</address><port>444</port></destination>',
        'undefined alias',
      ),
      rule(
        '<type>pass</type><interface>opt1</interface><protocol>tcp</protocol><source><address>feed</address></source><destination><any/><port>445</port></destination>',
        'url table',
      ),
      rule(
        '<type>pass</type><interface>opt1</interface><protocol>tcp</protocol><source><any/></source><destination><address>cdn</address><port>446</port></destination>',
        'fqdn',
      ),
      rule(
        '<type>pass</type><interface>opt1</interface><protocol>tcp</protocol><source><address>198.51.100.128/25</address><not/></source><destination><network>lan</network><port>447</port></destination>',
        'not',
      ),
      rule(
        '<type>pass</type><interface>opt1</interface><protocol>tcp</protocol><source><any/></source><destination><network>192.0.2.0/24</network><port>448</port></destination>',
        'cidr in network',
      ),
      rule(
        '<type>pass</type><interface>opt1</interface><protocol>tcp</protocol><source><any/></source><destination><network>(self)</network><port>449</port></destination>',
        'self',
      ),
      rule(
        '<type>pass</type><interface>opt1</interface><protocol>tcp</protocol><source><any/></source><destination><address>192.0.2.44</address><port>feedports</port></destination>',
        'url ports',
      ),
    ],
  });
  const { programs, warnings } = load(text);

  it('expands a nested alias', () => {
    assert.deepEqual(decision(trace(programs, tcp('198.51.100.5', '192.0.2.11', 443, 'opt1', 'lan'))), [
      'accept',
      lineOf(text, 'nested'),
      '/pfsense/filter/rule[1]',
    ]);
    assert.equal(trace(programs, tcp('198.51.100.5', '192.0.2.100', 443, 'opt1', 'lan')).verdict, 'accept');
    assert.equal(trace(programs, tcp('198.51.100.5', '192.0.2.12', 443, 'opt1', 'lan')).verdict, 'drop');
  });

  it('makes a rule with a URL table alias undetermined: pfSense loads it only while the download holds entries', () => {
    const out = trace(programs, tcp('198.51.100.5', '192.0.2.11', 445, 'opt1', 'lan'));
    assert.equal(out.verdict, 'undetermined');
    assert.deepEqual(
      out.reasons.map((r) => [r.rule.line, r.rule.path, r.why]),
      [
        [
          lineOf(text, 'url table'),
          '/pfsense/filter/rule[3]',
          'alias feed is a urltable alias: pfSense downloads its content at run time, and loads a rule using it only while the download holds entries',
        ],
      ],
    );
    const ports = trace(programs, tcp('198.51.100.5', '192.0.2.44', 5000, 'opt1', 'lan'));
    assert.equal(ports.verdict, 'undetermined');
    assert.deepEqual(
      ports.reasons.map((r) => [r.rule.line, r.rule.path, r.why]),
      [
        [
          lineOf(text, 'url ports'),
          '/pfsense/filter/rule[8]',
          'alias feedports is a urltable_ports alias: pfSense downloads its content at run time, and loads a rule using it only while the download holds entries',
        ],
      ],
    );
    assert.equal(trace(programs, tcp('198.51.100.5', '192.0.2.45', 5000, 'opt1', 'lan')).verdict, 'drop');
  });

  it('drops a rule with an undefined alias or a CIDR in <network>, each with a warning', () => {
    assert.deepEqual(messages(warnings), [
      [lineOf(text, 'undefined alias'), 'rule not loaded: destination alias nonesuch is not defined'],
      [
        lineOf(text, 'cidr in network'),
        'rule not loaded: destination <network>192.0.2.0/24</network> is neither an enabled interface, its address, an interface group nor (self)',
      ],
    ]);
    assert.equal(trace(programs, tcp('198.51.100.5', '192.0.2.11', 444, 'opt1', 'lan')).verdict, 'drop');
    assert.equal(trace(programs, tcp('198.51.100.5', '192.0.2.11', 448, 'opt1', 'lan')).verdict, 'drop');
  });

  it('makes a host-name alias undetermined beyond its addresses', () => {
    assert.equal(trace(programs, tcp('198.51.100.5', '192.0.2.90', 446, 'opt1', 'lan')).verdict, 'accept');
    const other = trace(programs, tcp('198.51.100.5', '192.0.2.91', 446, 'opt1', 'lan'));
    assert.equal(other.verdict, 'undetermined');
    assert.deepEqual(
      other.reasons.map((r) => r.why),
      ['alias cdn holds host names (cdn.example.org), resolved at run time'],
    );
  });

  it('negates with <not/> and reads interface networks', () => {
    assert.equal(trace(programs, tcp('198.51.100.5', '192.0.2.77', 447, 'opt1', 'lan')).verdict, 'accept');
    assert.equal(trace(programs, tcp('198.51.100.200', '192.0.2.77', 447, 'opt1', 'lan')).verdict, 'drop');
  });

  it('reads (self) as every address of the firewall', () => {
    assert.deepEqual(decision(trace(programs, tcp('198.51.100.5', '192.0.2.1', 449, 'opt1'))), [
      'accept',
      lineOf(text, 'self'),
      '/pfsense/filter/rule[7]',
    ]);
    assert.equal(trace(programs, tcp('198.51.100.5', '198.51.100.1', 449, 'opt1')).verdict, 'accept');
  });
});

describe('pfSense: interfaces', () => {
  it('takes an interface address the config.xml does not give readably as unknown, with a warning, never as a host or as none', () => {
    const text = configXml('pfsense', {
      interfaces: `<interfaces>
<wan><enable/><if>em0</if><ipaddr>203.0.113.2</ipaddr><subnet>24</subnet></wan>
<lan><enable/><if>em1</if><ipaddr>192.0.2.1</ipaddr><subnet>99</subnet></lan>
<opt1><enable/><if>em2</if><ipaddr>198.51.100.300</ipaddr><subnet>24</subnet></opt1>
</interfaces>`,
      rules: [
        rule(
          '<type>pass</type><interface>wan</interface><protocol>tcp</protocol><source><any/></source><destination><network>lan</network><port>443</port></destination>',
          'to lan',
        ),
        rule(
          '<type>pass</type><interface>wan</interface><protocol>tcp</protocol><source><any/></source><destination><network>opt1</network><port>443</port></destination>',
          'to opt1',
        ),
      ],
    });
    const { programs, warnings } = load(text);
    assert.deepEqual(messages(warnings), [
      [
        lineOf(text, '<lan>', 'lan'),
        'interface lan: <subnet>99</subnet> is not an IPv4 prefix length (0-32): its IPv4 address and network are taken as unknown',
      ],
      [
        lineOf(text, '<opt1>', 'opt1'),
        'interface opt1: <ipaddr>198.51.100.300</ipaddr> is neither an IPv4 address nor dhcp, pppoe, pptp, l2tp or ppp: its IPv4 address and network are taken as unknown',
      ],
    ]);
    for (const [to, why] of [
      [
        '192.0.2.77',
        'interface lan: <subnet>99</subnet> is not an IPv4 prefix length (0-32): its IPv4 address and network are taken as unknown',
      ],
      [
        '198.51.100.77',
        'interface opt1: <ipaddr>198.51.100.300</ipaddr> is neither an IPv4 address nor dhcp, pppoe, pptp, l2tp or ppp: its IPv4 address and network are taken as unknown',
      ],
    ]) {
      const out = trace(programs, tcp('203.0.113.50', to, 443, 'wan'));
      assert.equal(out.verdict, 'undetermined', to);
      assert.ok(
        out.reasons.some((r) => r.why === why),
        JSON.stringify(out.reasons.map((r) => r.why)),
      );
    }
  });

  it('does not load a rule on a disabled or unknown interface, and says so', () => {
    const text = configXml('pfsense', {
      interfaces: `<interfaces>
<lan><enable/><if>em1</if><ipaddr>192.0.2.1</ipaddr><subnet>24</subnet></lan>
<opt1><if>em2</if><ipaddr>198.51.100.1</ipaddr><subnet>24</subnet></opt1>
</interfaces>`,
      rules: [
        rule('<type>pass</type><interface>opt1</interface><source><any/></source><destination><any/></destination>', 'disabled interface'),
        rule('<type>pass</type><interface>opt9</interface><source><any/></source><destination><any/></destination>', 'unknown interface'),
      ],
    });
    assert.deepEqual(messages(load(text).warnings), [
      [lineOf(text, 'disabled interface'), 'rule not loaded: its interface opt1 is not an enabled interface or an interface group'],
      [lineOf(text, 'unknown interface'), 'rule not loaded: its interface opt9 is not an enabled interface or an interface group'],
    ]);
  });

  it('says a rule on a VPN tab is not audited, rather than not loaded: pfSense loads it for the tunnels', () => {
    const text = configXml('pfsense', {
      rules: [
        rule('<type>pass</type><interface>openvpn</interface><source><any/></source><destination><any/></destination>', 'OpenVPN clients'),
        rule('<type>pass</type><interface>enc0</interface><source><any/></source><destination><any/></destination>', 'IPsec peers'),
      ],
    });
    const normalized = load(text);
    assert.deepEqual(messages(normalized.warnings), [
      [
        lineOf(text, 'OpenVPN clients'),
        'rule on the OpenVPN tab: it filters what arrives through OpenVPN tunnels, which fwmatrix does not read; not audited',
      ],
      [
        lineOf(text, 'IPsec peers'),
        'rule on the IPsec tab: it filters what arrives through IPsec tunnels, which fwmatrix does not read; not audited',
      ],
    ]);
    // Nothing to report as a rule the firewall would not load.
    assert.deepEqual(
      normalized.programs.map((p) => p.unloaded ?? []),
      normalized.programs.map(() => []),
    );
  });

  it('declares the networks behind each interface, the default route behind the DHCP WAN', () => {
    const normalized = load(configXml('pfsense', {}));
    assert.deepEqual(
      normalized.interfaces?.map((i) => [
        i.name,
        i.networks[4].intervals.length,
        i.networks[4].size().toString(),
        i.networks[6].size() > 0n,
      ]),
      [
        ['wan', 1, '4294967296', false],
        ['lan', 1, '256', true],
        ['opt1', 1, '256', true],
      ],
    );
    assert.deepEqual(
      [...normalized.ownAddresses![4].intervals],
      [
        [0xc0000201n, 0xc0000201n],
        [0xc6336401n, 0xc6336401n],
      ],
    );
  });

  it('applies interface group rules to every member, before interface rules', () => {
    const text = configXml('pfsense', {
      extra: '<ifgroups><ifgroupentry><ifname>INSIDE</ifname><members>lan opt1</members></ifgroupentry></ifgroups>',
      rules: [
        rule(
          '<type>pass</type><interface>lan</interface><protocol>tcp</protocol><source><any/></source><destination><any/></destination>',
          'lan pass',
        ),
        rule(
          '<type>block</type><interface>INSIDE</interface><protocol>tcp</protocol><source><any/></source><destination><any/><port>23</port></destination>',
          'group block',
        ),
      ],
    });
    const { programs } = load(text);
    assert.deepEqual(decision(trace(programs, tcp('192.0.2.5', '198.51.100.9', 23, 'lan', 'opt1'))), [
      'drop',
      lineOf(text, 'group block'),
      '/pfsense/filter/rule[2]',
    ]);
    assert.equal(trace(programs, tcp('198.51.100.5', '192.0.2.9', 23, 'opt1', 'lan')).decidedBy?.line, lineOf(text, 'group block'));
    assert.equal(trace(programs, tcp('192.0.2.5', '198.51.100.9', 22, 'lan', 'opt1')).decidedBy?.line, lineOf(text, 'lan pass'));
  });

  it('turns filtering off with <disablefilter>: every packet passes, decided by that setting', () => {
    const text = configXml('pfsense', { system: '<disablefilter/>' });
    const out = trace(load(text).programs, tcp('198.51.100.5', '192.0.2.9', 23, 'opt1', 'lan'));
    assert.equal(out.verdict, 'accept');
    assert.deepEqual(out.policy?.source && [out.policy.source.line, out.policy.source.path], [3, '/pfsense/system/disablefilter']);
  });
});

describe('pfSense: implicit rules', () => {
  it('blocks IPv6 entirely without <ipv6allow>, and lets it through with it', () => {
    const rules = [
      rule(
        '<type>pass</type><interface>lan</interface><ipprotocol>inet6</ipprotocol><protocol>tcp</protocol><source><any/></source><destination><any/></destination>',
        'v6 pass',
      ),
    ];
    const without = configXml('pfsense', { system: '<webgui><noantilockout/></webgui>', rules });
    const out = trace(load(without).programs, tcp('2001:db8:1::5', '2001:db8:2::9', 443, 'lan', 'opt1'));
    assert.deepEqual(decision(out), ['drop', 3, '/pfsense/system']);
    assert.equal(out.decidedBy?.text, 'block quick inet6 all "Block all IPv6" (no <ipv6allow> in <system>)');
    const withIt = configXml('pfsense', { rules });
    assert.deepEqual(decision(trace(load(withIt).programs, tcp('2001:db8:1::5', '2001:db8:2::9', 443, 'lan', 'opt1'))), [
      'accept',
      lineOf(withIt, 'v6 pass'),
      '/pfsense/filter/rule',
    ]);
  });

  it('passes the GUI and SSH to the LAN address with the anti-lockout rule, unless <noantilockout>', () => {
    const text = configXml('pfsense', { system: '<webgui><protocol>https</protocol></webgui><ssh><enable>enabled</enable></ssh>' });
    const { programs } = load(text);
    for (const port of [443, 80, 22]) {
      const out = trace(programs, tcp('192.0.2.5', '192.0.2.1', port, 'lan'));
      assert.deepEqual(decision(out), ['accept', 3, '/pfsense/system/webgui'], String(port));
      assert.equal(
        out.decidedBy?.text,
        'pass in quick on lan proto tcp from any to (lan) port { 443 80 22 } "anti-lockout rule" (no <noantilockout> in <webgui>)',
      );
    }
    assert.equal(trace(programs, tcp('192.0.2.5', '192.0.2.1', 8443, 'lan')).verdict, 'drop');
    assert.equal(trace(programs, tcp('198.51.100.5', '198.51.100.1', 443, 'opt1')).verdict, 'drop');
    const off = load(configXml('pfsense', { system: '<webgui><protocol>https</protocol><noantilockout/></webgui>' }));
    assert.equal(trace(off.programs, tcp('192.0.2.5', '192.0.2.1', 443, 'lan')).verdict, 'drop');
  });

  it('puts the anti-lockout rule on WAN when it is the only interface', () => {
    const text = configXml('pfsense', {
      system: '<webgui><protocol>http</protocol></webgui>',
      interfaces: '<interfaces>\n<wan><enable/><if>em0</if><ipaddr>203.0.113.2</ipaddr><subnet>24</subnet></wan>\n</interfaces>',
    });
    const out = trace(load(text).programs, tcp('203.0.113.9', '203.0.113.2', 80, 'wan'));
    assert.equal(out.verdict, 'accept');
    assert.match(out.decidedBy?.text ?? '', /^pass in quick on wan proto tcp from any to \(wan\) port \{ 80 \} "anti-lockout rule"/);
  });

  it('blocks private sources on an interface with <blockpriv/>, located there', () => {
    const text = configXml('pfsense', {
      interfaces: `<interfaces>
<wan><enable/><if>em0</if><ipaddr>203.0.113.2</ipaddr><subnet>24</subnet>
<blockpriv/>
</wan>
<lan><enable/><if>em1</if><ipaddr>192.0.2.1</ipaddr><subnet>24</subnet></lan>
</interfaces>`,
      rules: [
        rule(
          '<type>pass</type><interface>wan</interface><protocol>tcp</protocol><source><any/></source><destination><any/></destination>',
          'wan pass',
        ),
      ],
    });
    const { programs } = load(text);
    const privateSource = trace(programs, tcp('10.1.2.3', '192.0.2.9', 443, 'wan', 'lan'));
    assert.deepEqual(decision(privateSource), ['drop', lineOf(text, '<blockpriv', 'blockpriv'), '/pfsense/interfaces/wan/blockpriv']);
    assert.equal(
      privateSource.decidedBy?.text,
      'block in quick on wan from { 10.0.0.0/8 127.0.0.0/8 172.16.0.0/12 192.168.0.0/16 } to any "Block private networks from WAN"',
    );
    assert.equal(trace(programs, tcp('198.51.100.9', '192.0.2.9', 443, 'wan', 'lan')).decidedBy?.line, lineOf(text, 'wan pass'));
  });

  it('blocks bogon sources (the reserved ranges, documentation ones too) with <blockbogons/>, before <blockpriv/>', () => {
    const text = configXml('pfsense', {
      interfaces: `<interfaces>
<wan><enable/><if>em0</if><ipaddr>203.0.113.2</ipaddr><subnet>24</subnet>
<blockpriv/>
<blockbogons/>
</wan>
<lan><enable/><if>em1</if><ipaddr>192.0.2.1</ipaddr><subnet>24</subnet></lan>
</interfaces>`,
      rules: [
        rule(
          '<type>pass</type><interface>wan</interface><protocol>tcp</protocol><source><any/></source><destination><any/></destination>',
          'wan pass',
        ),
      ],
    });
    const { programs } = load(text);
    for (const source of ['198.51.100.9', '10.1.2.3']) {
      const bogon = trace(programs, tcp(source, '192.0.2.9', 443, 'wan', 'lan'));
      assert.deepEqual(
        decision(bogon),
        ['drop', lineOf(text, '<blockbogons', 'blockbogons'), '/pfsense/interfaces/wan/blockbogons'],
        source,
      );
    }
    assert.equal(trace(programs, tcp('8.8.8.8', '192.0.2.9', 443, 'wan', 'lan')).decidedBy?.line, lineOf(text, 'wan pass'));
  });

  it('blocks link-local IPv4 and port 0', () => {
    const text = configXml('pfsense', {
      rules: [rule('<type>pass</type><interface>lan</interface><source><any/></source><destination><any/></destination>', 'any')],
    });
    const { programs } = load(text);
    const apipa = trace(programs, tcp('169.254.1.1', '198.51.100.9', 443, 'lan', 'opt1'));
    assert.equal(
      apipa.decidedBy?.text,
      'block in quick from 169.254.0.0/16 to any "Block IPv4 link-local" (no <no_apipa_block> in <system>)',
    );
    assert.equal(
      trace(programs, tcp('192.0.2.5', '198.51.100.9', 0, 'lan', 'opt1')).decidedBy?.text,
      'block quick inet proto { tcp, udp } from any to any port = 0 "Block traffic to port 0"',
    );
    const allowed = load(
      configXml('pfsense', {
        system: '<no_apipa_block/><ipv6allow/>',
        rules: [rule('<type>pass</type><interface>lan</interface><source><any/></source><destination><any/></destination>', 'any')],
      }),
    );
    assert.equal(trace(allowed.programs, tcp('169.254.1.1', '198.51.100.9', 443, 'lan', 'opt1')).verdict, 'accept');
  });

  it('lets the firewall send anything out', () => {
    const out = trace(load(configXml('pfsense', {})).programs, {
      from: '192.0.2.1',
      to: '203.0.113.9',
      proto: 'udp',
      dport: 53,
      out: 'wan',
    });
    assert.equal(out.verdict, 'accept');
    assert.equal(out.decidedBy?.text, 'pass out inet all keep state "let out anything IPv4 from firewall host itself"');
  });
});

describe('pfSense: port forwards', () => {
  const nat = [
    '<rule><interface>opt1</interface><protocol>tcp</protocol><source><any/></source><destination><network>opt1ip</network><port>8443</port></destination><target>192.0.2.10</target><local-port>443</local-port><descr>to the web server</descr><associated-rule-id>nat_1</associated-rule-id></rule>',
    '<rule><interface>opt1</interface><protocol>tcp</protocol><source><any/></source><destination><network>opt1ip</network><port>2222</port></destination><target>192.0.2.20</target><local-port>22</local-port><descr>ssh, rdr pass</descr><associated-rule-id>pass</associated-rule-id></rule>',
    '<rule><interface>opt1</interface><protocol>tcp</protocol><nordr/><source><address>198.51.100.66</address></source><destination><network>opt1ip</network><port>8000-8010</port></destination><descr>not for this one</descr></rule>',
    '<rule><interface>opt1</interface><protocol>tcp</protocol><source><any/></source><destination><network>opt1ip</network><port>8000-8010</port></destination><target>192.0.2.30</target><local-port>9000</local-port><descr>a range</descr></rule>',
  ].join('\n');
  const text = configXml('pfsense', {
    nat,
    rules: [
      rule(
        '<type>pass</type><interface>opt1</interface><protocol>tcp</protocol><source><any/></source><destination><address>192.0.2.10</address><port>443</port></destination><associated-rule-id>nat_1</associated-rule-id>',
        'NAT to the web server',
      ),
      rule(
        '<type>pass</type><interface>opt1</interface><protocol>tcp</protocol><source><any/></source><destination><address>192.0.2.30</address><port>9000-9005</port></destination>',
        'part of the range',
      ),
    ],
  });
  const { programs } = load(text);

  it('filters the translated packet: the linked filter rule (to the target) decides', () => {
    const out = trace(programs, tcp('198.51.100.5', '198.51.100.1', 8443, 'opt1'));
    assert.deepEqual(decision(out), ['accept', lineOf(text, 'NAT to the web server'), '/pfsense/filter/rule[1]']);
    assert.deepEqual(
      out.steps.filter((s) => s.matched).map((s) => [s.line, s.action]),
      [
        [lineOf(text, 'to the web server', 'rule'), 'continue'],
        [lineOf(text, 'NAT to the web server'), 'accept'],
        [lineOf(text, '<filter>', 'filter'), 'accept'],
      ],
    );
    assert.equal(trace(programs, tcp('198.51.100.5', '198.51.100.1', 443, 'opt1')).verdict, 'drop');
  });

  it('passes rdr pass packets with no filter rule, decided by the port forward', () => {
    assert.deepEqual(decision(trace(programs, tcp('198.51.100.5', '198.51.100.1', 2222, 'opt1'))), [
      'accept',
      lineOf(text, 'ssh, rdr pass', 'rule'),
      '/pfsense/nat/rule[2]',
    ]);
  });

  it('maps a port range onto the local ports, and exempts nordr packets', () => {
    assert.equal(trace(programs, tcp('198.51.100.5', '198.51.100.1', 8005, 'opt1')).decidedBy?.line, lineOf(text, 'part of the range'));
    assert.equal(trace(programs, tcp('198.51.100.5', '198.51.100.1', 8006, 'opt1')).verdict, 'drop');
    assert.equal(trace(programs, tcp('198.51.100.66', '198.51.100.1', 8005, 'opt1')).verdict, 'drop');
  });
});

describe('pfSense: hand-edited addresses and ports, as filter.inc reads them', () => {
  const text = configXml('pfsense', {
    rules: [
      rule(
        '<type>pass</type><interface>lan</interface><protocol>tcp</protocol><source><any/></source><destination><address>198.51.100.10-198.51.100.12</address><port>443</port></destination>',
        'range in address',
      ),
      rule(
        '<type>pass</type><interface>lan</interface><protocol>tcp</protocol><source><any/></source><destination><any/><port>500-400</port></destination>',
        'reversed range',
      ),
      rule(
        '<type>pass</type><interface>lan</interface><protocol>tcp</protocol><source><any/></source><destination><any/><port>0</port></destination>',
        'port zero',
      ),
      rule(
        '<type>pass</type><interface>lan</interface><ipprotocol>inet6</ipprotocol><protocol>tcp</protocol><source><any/></source><destination><address>::10</address><port>8443</port></destination>',
        'host part on lan',
      ),
      rule(
        '<type>pass</type><interface>wan</interface><ipprotocol>inet6</ipprotocol><protocol>tcp</protocol><source><any/></source><destination><address>::10</address><port>8444</port></destination>',
        'host part on wan',
      ),
    ],
  });
  const { programs, warnings } = load(text);

  it('drops a rule whose <address> is a range: alias_expand takes only an address, a network or an alias', () => {
    assert.deepEqual(decision(trace(programs, tcp('192.0.2.5', '198.51.100.11', 443, 'lan', 'opt1'))), [
      'drop',
      lineOf(text, '<filter>', 'filter'),
      '/pfsense/filter',
    ]);
    assert.deepEqual(messages(warnings).slice(0, 1), [
      [
        lineOf(text, 'range in address'),
        'rule not loaded: destination 198.51.100.10-198.51.100.12 is a range, which pfSense takes only in an alias (alias_expand: unresolvable alias)',
      ],
    ]);
  });

  it('matches no port with a reversed range (pf reads a-b as a-1 >< b+1), and drops a rule on port 0 (not a port to is_port)', () => {
    assert.equal(trace(programs, tcp('192.0.2.5', '198.51.100.11', 450, 'lan', 'opt1')).verdict, 'drop');
    assert.equal(trace(programs, tcp('192.0.2.5', '198.51.100.11', 500, 'lan', 'opt1')).verdict, 'drop');
    assert.deepEqual(messages(warnings).slice(1), [
      [lineOf(text, 'port zero'), 'rule not loaded: destination port alias 0 is not defined'],
    ]);
  });

  it("joins an IPv6 host part (::10) to the prefix of the rule's interface (redmine 6626), unknown where that prefix is", () => {
    const v6 = (to: string, dport: number, inIface: string) => ({ from: '2001:db8:2::5', to, proto: 'tcp', dport, in: inIface });
    assert.deepEqual(decision(trace(programs, v6('2001:db8:1::10', 8443, 'lan'))), [
      'accept',
      lineOf(text, 'host part on lan'),
      '/pfsense/filter/rule[4]',
    ]);
    assert.equal(trace(programs, v6('::10', 8443, 'lan')).verdict, 'drop');
    const wan = trace(programs, v6('2001:db8:9::10', 8444, 'wan'));
    assert.equal(wan.verdict, 'undetermined');
    assert.deepEqual(
      wan.reasons.map((r) => [r.rule.line, r.why]),
      [
        [
          lineOf(text, 'host part on wan'),
          "destination ::10 is a host part pfSense joins to WAN's IPv6 prefix, which the config.xml does not give",
        ],
      ],
    );
  });
});

describe('pfSense: what it refuses', () => {
  it('refuses an unknown protocol and direction, located', () => {
    const text = configXml('pfsense', {
      rules: [
        rule(
          '<type>pass</type><interface>lan</interface><protocol>tcpx</protocol><source><any/></source><destination><any/></destination>',
          'bad',
        ),
      ],
    });
    assert.throws(
      () => load(text),
      (error: unknown) =>
        error instanceof InputError &&
        error.diagnostics[0].location.line === lineOf(text, 'bad') + 1 &&
        error.diagnostics[0].location.path === '/pfsense/filter/rule/protocol' &&
        /protocol "tcpx": expected tcp, udp/.test(error.diagnostics[0].message),
    );
  });

  it('refuses an OPNsense file given as pfSense', () => {
    assert.throws(() => load('<opnsense/>'), /this is a OPNsense config.xml \(root <opnsense>\): give --type opnsense/);
  });
});
