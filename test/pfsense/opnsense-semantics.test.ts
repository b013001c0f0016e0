import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configXml, decision, lineOf, load, messages, trace } from './helpers';

const tcp = (from: string, to: string, dport: number, inIface: string, outIface?: string) => ({
  from,
  to,
  proto: 'tcp',
  dport,
  in: inIface,
  ...(outIface ? { out: outIface } : {}),
});

const INTERFACES = `<interfaces>
<wan><enable>1</enable><if>vtnet0</if><ipaddr>dhcp</ipaddr></wan>
<lan><enable>1</enable><if>vtnet1</if><ipaddr>192.0.2.1</ipaddr><subnet>24</subnet><ipaddrv6>2001:db8:1::1</ipaddrv6><subnetv6>64</subnetv6></lan>
<opt1><enable>1</enable><if>vtnet2</if><descr>DMZ</descr><ipaddr>198.51.100.1</ipaddr><subnet>24</subnet><ipaddrv6>2001:db8:2::1</ipaddrv6><subnetv6>64</subnetv6></opt1>
</interfaces>`;

const WEBGUI = '<webgui><protocol>https</protocol><noantilockout/></webgui>';
/** A configuration from before 26.1, which says <ipv6allow/> where 26.1 says <disableipv6>0. */
const SYSTEM = `<ipv6allow/>${WEBGUI}`;

/** An MVC rule, one element a line, with the model's defaults where `fields` say nothing. */
function mvcRule(fields: string, description: string, uuid: string): string {
  return `<rule uuid="${uuid}">\n${fields}\n<description>${description}</description>\n</rule>`;
}

function mvc(rules: string[], aliases: string[] = []): string {
  return [
    '<Firewall>',
    `<Alias><aliases>\n${aliases.join('\n')}\n</aliases></Alias>`,
    `<Filter><rules>\n${rules.join('\n')}\n</rules></Filter>`,
    '</Firewall>',
  ].join('\n');
}

function legacyRule(fields: string, descr: string): string {
  return `<rule>\n${fields}\n<descr>${descr}</descr>\n</rule>`;
}

describe('OPNsense: order and quick', () => {
  const text = configXml('opnsense', {
    system: SYSTEM,
    interfaces: INTERFACES,
    mvc: mvc([
      mvcRule(
        '<sequence>10</sequence><action>pass</action><interface>opt1</interface><protocol>TCP</protocol><destination_net>192.0.2.10</destination_net><destination_port>443</destination_port>',
        'DMZ to web',
        'r1',
      ),
      mvcRule(
        '<sequence>5</sequence><action>block</action><interface>opt1,lan</interface><protocol>TCP</protocol><source_net>198.51.100.66</source_net>',
        'floating block (two interfaces)',
        'r2',
      ),
      mvcRule(
        '<sequence>6</sequence><action>pass</action><quick>0</quick><interface>lan,opt1</interface><protocol>TCP</protocol><destination_net>198.51.100.20</destination_net><destination_port>22</destination_port>',
        'floating fallback, quick 0',
        'r3',
      ),
      mvcRule(
        '<sequence>7</sequence><action>block</action><interface>opt1,lan</interface><direction>out</direction><protocol>TCP</protocol><destination_net>198.51.100.30</destination_net>',
        'floating out block',
        'r4',
      ),
      mvcRule(
        '<sequence>20</sequence><action>pass</action><interface>lan</interface><ipprotocol>inet46</ipprotocol><protocol>TCP</protocol><source_net>lan</source_net>',
        'LAN out',
        'r5',
      ),
    ]),
  });
  const { programs } = load(text, 'opnsense');

  it('orders floating rules first, whatever their sequence says within interfaces', () => {
    assert.deepEqual(decision(trace(programs, tcp('198.51.100.66', '192.0.2.10', 443, 'opt1', 'lan'))), [
      'drop',
      lineOf(text, 'uuid="r2"'),
      '/opnsense/OPNsense/Firewall/Filter/rules/rule[2]',
    ]);
    assert.equal(trace(programs, tcp('198.51.100.67', '192.0.2.10', 443, 'opt1', 'lan')).decidedBy?.line, lineOf(text, 'uuid="r1"'));
  });

  it('makes a rule quick unless <quick>0, and a missing direction inbound even on floating rules', () => {
    const fallback = trace(programs, tcp('198.51.100.5', '198.51.100.20', 22, 'opt1'));
    assert.deepEqual(decision(fallback), ['accept', lineOf(text, 'uuid="r3"'), '/opnsense/OPNsense/Firewall/Filter/rules/rule[3]']);
    // Leaving (out) by opt1, the fallback does not apply: it is inbound only.
    const leaving = trace(programs, tcp('192.0.2.5', '198.51.100.20', 22, 'lan', 'opt1'));
    assert.deepEqual(
      leaving.steps.filter((s) => s.chain === 'out' && s.matched).map((s) => s.line),
      [lineOf(text, '<filter>', 'filter')],
    );
  });

  it('blocks on the egress interface with a floating out rule', () => {
    assert.deepEqual(decision(trace(programs, tcp('192.0.2.5', '198.51.100.30', 80, 'lan', 'opt1'))), [
      'drop',
      lineOf(text, 'uuid="r4"'),
      '/opnsense/OPNsense/Firewall/Filter/rules/rule[4]',
    ]);
  });

  it('denies by default inbound only: what the firewall sends passes', () => {
    const inbound = trace(programs, { from: '198.51.100.5', to: '192.0.2.10', proto: 'udp', dport: 53, in: 'opt1', out: 'lan' });
    assert.equal(inbound.decidedBy?.text, 'block in inet all "Default deny / state violation rule"');
    const outbound = trace(programs, { from: '192.0.2.1', to: '203.0.113.9', proto: 'udp', dport: 53, out: 'wan' });
    assert.equal(outbound.decidedBy?.text, 'pass out inet all keep state "let out anything from firewall host itself"');
  });

  it('allows IPv6 with <ipv6allow/>, and an inet46 rule covers both families', () => {
    assert.deepEqual(decision(trace(programs, tcp('2001:db8:1::5', '2001:db8:ffff::1', 443, 'lan', 'opt1'))), [
      'accept',
      lineOf(text, 'uuid="r5"'),
      '/opnsense/OPNsense/Firewall/Filter/rules/rule[5]',
    ]);
  });
});

describe('OPNsense: legacy rules and fields', () => {
  const text = configXml('opnsense', {
    system: SYSTEM,
    interfaces: INTERFACES,
    rules: [
      legacyRule(
        '<type>pass</type><interface>lan</interface><protocol>tcp</protocol><source><any>1</any></source><destination><address>198.51.100.10</address><port>443</port></destination><disabled>0</disabled>',
        'disabled 0 is loaded',
      ),
      legacyRule(
        '<type>pass</type><interface>lan</interface><protocol>tcp</protocol><source><any>1</any></source><destination><address>198.51.100.11</address></destination><disabled>1</disabled>',
        'disabled 1',
      ),
      legacyRule(
        '<type>pass</type><interface>lan</interface><source><any>1</any></source><destination><address>198.51.100.12</address><port>8080</port></destination>',
        'a port without a protocol',
      ),
      legacyRule(
        '<type>pass</type><interface>opt1</interface><floating>yes</floating><quick>0</quick><protocol>tcp</protocol><source><any>1</any></source><destination><address>192.0.2.9</address></destination>',
        'legacy floating, quick 0',
      ),
    ],
    mvc: mvc([
      mvcRule(
        '<enabled>0</enabled><sequence>1</sequence><action>pass</action><interface>lan</interface><ipprotocol>inet46</ipprotocol>',
        'enabled 0',
        'm1',
      ),
    ]),
  });
  const { programs } = load(text, 'opnsense');

  it('disables a legacy rule only when <disabled> holds something but 0, an MVC rule with <enabled>0', () => {
    assert.deepEqual(decision(trace(programs, tcp('192.0.2.5', '198.51.100.10', 443, 'lan', 'opt1'))), [
      'accept',
      lineOf(text, 'disabled 0 is loaded'),
      '/opnsense/filter/rule[1]',
    ]);
    assert.equal(trace(programs, tcp('192.0.2.5', '198.51.100.11', 443, 'lan', 'opt1')).verdict, 'drop');
    assert.equal(trace(programs, tcp('192.0.2.5', '198.51.100.13', 443, 'lan', 'opt1')).verdict, 'drop');
  });

  it('matches a legacy rule without <ipprotocol> in both families', () => {
    const v6 = trace(programs, tcp('2001:db8:1::5', '2001:db8:2::10', 443, 'lan', 'opt1'));
    assert.equal(v6.verdict, 'drop');
    const both = load(
      configXml('opnsense', {
        system: SYSTEM,
        interfaces: INTERFACES,
        rules: [
          legacyRule(
            '<type>pass</type><interface>lan</interface><protocol>tcp</protocol><source><any>1</any></source><destination><any>1</any></destination>',
            'no ipprotocol',
          ),
        ],
      }),
      'opnsense',
    );
    assert.equal(trace(both.programs, tcp('2001:db8:1::5', '2001:db8:2::10', 443, 'lan', 'opt1')).verdict, 'accept');
    assert.equal(trace(both.programs, tcp('192.0.2.5', '198.51.100.10', 443, 'lan', 'opt1')).verdict, 'accept');
  });

  it('ignores the port of a rule without a TCP/UDP protocol (pfSense would make it TCP)', () => {
    const out = trace(programs, { from: '192.0.2.5', to: '198.51.100.12', proto: 'udp', dport: 9999, in: 'lan', out: 'opt1' });
    assert.deepEqual(decision(out), ['accept', lineOf(text, 'a port without a protocol'), '/opnsense/filter/rule[3]']);
  });

  it('reads <quick>0 on a legacy floating rule as not quick', () => {
    const out = trace(programs, tcp('198.51.100.5', '192.0.2.9', 443, 'opt1', 'lan'));
    assert.deepEqual(decision(out), ['accept', lineOf(text, 'legacy floating, quick 0'), '/opnsense/filter/rule[4]']);
  });
});

describe('OPNsense: aliases and addresses', () => {
  const aliases = [
    '<alias uuid="a1"><enabled>1</enabled><name>lower</name><type>network</type><content>192.0.2.0/24\n!192.0.2.128/25</content></alias>',
    '<alias uuid="a2"><enabled>1</enabled><name>pool</name><type>host</type><content>lower\n192.0.2.200-192.0.2.201</content></alias>',
    '<alias uuid="a3"><enabled>1</enabled><name>feed</name><type>urltable</type><content>https://198.51.100.200/list.txt</content></alias>',
    '<alias uuid="a4"><enabled>1</enabled><name>web_ports</name><type>port</type><content>80\n443\n8000:8010</content></alias>',
  ];
  const text = configXml('opnsense', {
    system: SYSTEM,
    interfaces: INTERFACES,
    mvc: mvc(
      [
        mvcRule(
          '<sequence>1</sequence><action>pass</action><interface>opt1</interface><protocol>TCP</protocol><destination_net>pool</destination_net><destination_port>web_ports</destination_port>',
          'nested and excluded',
          'm1',
        ),
        mvcRule(
          '<sequence>2</sequence><action>pass</action><interface>opt1</interface><protocol>TCP</protocol><source_net>feed</source_net><destination_port>22</destination_port>',
          'url table',
          'm2',
        ),
        mvcRule(
          '<sequence>3</sequence><action>pass</action><interface>opt1</interface><protocol>TCP</protocol><destination_net>nonesuch</destination_net>',
          'undefined alias',
          'm3',
        ),
        mvcRule(
          '<sequence>4</sequence><action>pass</action><interface>opt1</interface><protocol>TCP</protocol><source_net>198.51.100.10,198.51.100.11</source_net><destination_net>(self)</destination_net><destination_port>3389</destination_port>',
          'two sources to the firewall',
          'm4',
        ),
      ],
      aliases,
    ),
  });
  const { programs, warnings } = load(text, 'opnsense');

  it('expands nested aliases, ranges and exclusions', () => {
    for (const [dst, port, verdict] of [
      ['192.0.2.5', 443, 'accept'],
      ['192.0.2.130', 443, 'drop'],
      ['192.0.2.201', 8005, 'accept'],
      ['192.0.2.5', 8011, 'drop'],
    ] as const) {
      assert.equal(trace(programs, tcp('198.51.100.5', dst, port, 'opt1', 'lan')).verdict, verdict, `${dst}:${port}`);
    }
  });

  it('keeps a URL table alias (the rule stays) undetermined, where pfSense drops the rule', () => {
    const out = trace(programs, tcp('198.51.100.5', '192.0.2.5', 22, 'opt1', 'lan'));
    assert.equal(out.verdict, 'undetermined');
    assert.deepEqual(
      out.reasons.map((r) => r.why),
      ['alias feed is a urltable alias, whose content OPNsense looks up at run time'],
    );
  });

  it('disables a rule whose address it cannot map, with a warning', () => {
    assert.deepEqual(messages(warnings), [
      [
        lineOf(text, 'uuid="m3"'),
        'rule disabled by OPNsense: destination nonesuch is neither an address, a network, an enabled interface nor an alias: OPNsense disables the rule',
      ],
    ]);
  });

  it('gives each source of a list its own rule, and reads (self)', () => {
    for (const source of ['198.51.100.10', '198.51.100.11']) {
      assert.equal(trace(programs, tcp(source, '198.51.100.1', 3389, 'opt1')).decidedBy?.line, lineOf(text, 'uuid="m4"'), source);
    }
    assert.equal(trace(programs, tcp('198.51.100.12', '198.51.100.1', 3389, 'opt1')).verdict, 'drop');
  });
});

describe('OPNsense: implicit rules and port forwards', () => {
  it('blocks IPv6 inbound when <disableipv6> says so, and reads the legacy <ipv6allow> without the settings', () => {
    const rules = [
      mvcRule('<sequence>1</sequence><action>pass</action><interface>lan</interface><ipprotocol>inet6</ipprotocol>', 'v6', 'm1'),
    ];
    const off = configXml('opnsense', {
      system: SYSTEM,
      interfaces: INTERFACES,
      mvc: `<Interfaces><settings><disableipv6>1</disableipv6></settings></Interfaces>\n${mvc(rules)}`,
    });
    const on = configXml('opnsense', {
      system: WEBGUI,
      interfaces: INTERFACES,
      mvc: `<Interfaces><settings><disableipv6>0</disableipv6></settings></Interfaces>\n${mvc(rules)}`,
    });
    assert.equal(trace(load(on, 'opnsense').programs, tcp('2001:db8:1::5', '2001:db8:2::9', 443, 'lan', 'opt1')).verdict, 'accept');
    const blocked = trace(load(off, 'opnsense').programs, tcp('2001:db8:1::5', '2001:db8:2::9', 443, 'lan', 'opt1'));
    assert.deepEqual(decision(blocked), ['drop', lineOf(off, '<settings>', 'settings'), '/opnsense/OPNsense/Interfaces/settings']);
    const legacy = configXml('opnsense', { system: WEBGUI, interfaces: INTERFACES, mvc: mvc(rules) });
    assert.equal(
      trace(load(legacy, 'opnsense').programs, tcp('2001:db8:1::5', '2001:db8:2::9', 443, 'lan', 'opt1')).decidedBy?.text,
      'block in quick inet6 all "Block all IPv6" (IPv6 is disabled)',
    );
    const allowed = configXml('opnsense', { system: SYSTEM, interfaces: INTERFACES, mvc: mvc(rules) });
    assert.equal(trace(load(allowed, 'opnsense').programs, tcp('2001:db8:1::5', '2001:db8:2::9', 443, 'lan', 'opt1')).verdict, 'accept');
  });

  it('puts the anti-lockout rule on the primary interface, to every firewall address', () => {
    const text = configXml('opnsense', { system: '<webgui><protocol>https</protocol></webgui>', interfaces: INTERFACES });
    const { programs } = load(text, 'opnsense');
    const out = trace(programs, tcp('192.0.2.5', '198.51.100.1', 443, 'lan'));
    assert.equal(out.decidedBy?.text, 'pass in quick on lan proto tcp from any to (self) port 443 "anti-lockout rule"');
    assert.equal(trace(programs, tcp('198.51.100.5', '198.51.100.1', 443, 'opt1')).verdict, 'drop');
  });

  it('blocks private networks on a <blockpriv>1 interface, and not with <blockpriv>0', () => {
    const withIt = (value: string) =>
      load(
        configXml('opnsense', {
          system: SYSTEM,
          interfaces: `<interfaces>\n<wan><enable>1</enable><if>vtnet0</if><ipaddr>203.0.113.2</ipaddr><subnet>24</subnet><blockpriv>${value}</blockpriv></wan>\n<lan><enable>1</enable><if>vtnet1</if><ipaddr>192.0.2.1</ipaddr><subnet>24</subnet></lan>\n</interfaces>`,
          mvc: mvc([mvcRule('<sequence>1</sequence><action>pass</action><interface>wan</interface>', 'wan pass', 'm1')]),
        }),
        'opnsense',
      );
    assert.match(
      trace(withIt('1').programs, tcp('10.1.2.3', '192.0.2.9', 443, 'wan', 'lan')).decidedBy?.text ?? '',
      /"Block private networks from WAN"$/,
    );
    assert.equal(trace(withIt('0').programs, tcp('10.1.2.3', '192.0.2.9', 443, 'wan', 'lan')).verdict, 'accept');
  });

  it('registers the filter rule of a port forward with pass=rule after all user rules, and passes rdr pass packets', () => {
    const nat = [
      '<rule><sequence>2</sequence><interface>opt1</interface><protocol>tcp</protocol><source><network>any</network></source><destination><network>opt1ip</network><port>8443</port></destination><target>192.0.2.10</target><local-port>443</local-port><pass>rule</pass><descr>web</descr></rule>',
      '<rule><sequence>1</sequence><interface>opt1</interface><protocol>tcp</protocol><source><network>any</network></source><destination><network>opt1ip</network><port>2222</port></destination><target>192.0.2.20</target><local-port>22</local-port><pass>pass</pass><descr>ssh</descr></rule>',
    ].join('\n');
    const text = configXml('opnsense', {
      system: SYSTEM,
      interfaces: INTERFACES,
      nat,
      mvc: mvc([
        mvcRule(
          '<sequence>1</sequence><action>block</action><interface>opt1</interface><protocol>TCP</protocol><source_net>198.51.100.66</source_net>',
          'a blocked host',
          'm1',
        ),
      ]),
    });
    const { programs } = load(text, 'opnsense');
    const web = trace(programs, tcp('198.51.100.5', '198.51.100.1', 8443, 'opt1'));
    assert.deepEqual(decision(web), ['accept', lineOf(text, '<descr>web'), '/opnsense/nat/rule[1]']);
    assert.match(
      web.decidedBy?.text ?? '',
      /^pass in quick on opt1 to 192\.0\.2\.10 \(the filter rule of port forward: rdr on opt1 inet proto tcp/,
    );
    assert.equal(trace(programs, tcp('198.51.100.66', '198.51.100.1', 8443, 'opt1')).decidedBy?.line, lineOf(text, 'uuid="m1"'));
    assert.deepEqual(decision(trace(programs, tcp('198.51.100.66', '198.51.100.1', 2222, 'opt1'))), [
      'accept',
      lineOf(text, '<descr>ssh'),
      '/opnsense/nat/rule[2]',
    ]);
  });
});
