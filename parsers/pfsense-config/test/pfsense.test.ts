import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigXml } from '../src';
import { at, xml } from './helpers';

const CONFIG = xml(
  '<?xml version="1.0"?>',
  '<pfsense>',
  '  <version>23.3</version>',
  '  <system>',
  '    <hostname>fw</hostname>',
  '    <ipv6allow/>',
  '    <webgui><protocol>https</protocol><noantilockout></noantilockout></webgui>',
  '    <ssh><enable>enabled</enable><port>2222</port></ssh>',
  '    <timezone>Etc/UTC</timezone>',
  '  </system>',
  '  <interfaces>',
  '    <wan><enable/><if>em0</if><ipaddr>dhcp</ipaddr><blockpriv/><blockbogons/></wan>',
  '    <LAN><enable/><if>em1</if><descr><![CDATA[Inside]]></descr><ipaddr>192.0.2.1</ipaddr><subnet>24</subnet>',
  '      <ipaddrv6>track6</ipaddrv6><track6-interface>wan</track6-interface><mtu>1500</mtu></LAN>',
  '  </interfaces>',
  '  <ifgroups><ifgroupentry><ifname>INSIDE</ifname><members>lan opt1</members></ifgroupentry></ifgroups>',
  '  <virtualip><vip><mode>ipalias</mode><interface>lan</interface><subnet>192.0.2.5</subnet><subnet_bits>32</subnet_bits></vip></virtualip>',
  '  <filter>',
  '    <bypassstaticroutes/>',
  '    <separator><lan/></separator>',
  '    <rule>',
  '      <type>block</type><interface>wan,lan</interface><floating>yes</floating><quick>yes</quick><direction>out</direction>',
  '      <ipprotocol>inet46</ipprotocol><protocol>tcp/udp</protocol>',
  '      <source><address>web_servers</address><not/><port>1024-65535</port></source>',
  '      <destination><network>lanip</network><port>https</port></destination>',
  '      <sched>workhours</sched><gateway>GW_WAN</gateway><tag>T1</tag><tagged>T0</tagged><os>Windows</os>',
  '      <descr>Floating &amp; quick</descr><tracker>1700000001</tracker><max-src-conn>10</max-src-conn>',
  '    </rule>',
  '    <rule/>',
  '    <rule>',
  '      <interface>lan</interface><disabled>0</disabled><source><any/></source><destination><any/></destination>',
  '      <associated-rule-id>nat_1</associated-rule-id><icmptype>echoreq,unreach</icmptype><protocol>icmp</protocol>',
  '    </rule>',
  '  </filter>',
  '  <aliases>',
  '    <alias><name>web_servers</name><type>host</type><address>192.0.2.10 192.0.2.11  other</address>',
  '      <detail>one||two||three</detail></alias>',
  '    <alias><name>feed</name><type>urltable</type><url>https://198.51.100.1/list</url><updatefreq>1</updatefreq></alias>',
  '  </aliases>',
  '  <nat>',
  '    <outbound><mode>hybrid</mode><rule><interface>wan</interface><source><network>192.0.2.0/24</network></source>',
  '      <destination><any/></destination><target>198.51.100.7</target></rule></outbound>',
  '    <rule><interface>wan</interface><protocol>tcp</protocol><source><any/></source>',
  '      <destination><network>wanip</network><port>8443</port></destination><target>192.0.2.20</target>',
  '      <local-port>443</local-port><associated-rule-id>pass</associated-rule-id><natreflection>disable</natreflection></rule>',
  '    <onetoone><external>198.51.100.9</external><source><address>192.0.2.9</address></source><interface>wan</interface></onetoone>',
  '  </nat>',
  '  <gateways><gateway_item><name>GW_WAN</name><interface>wan</interface><gateway>198.51.100.254</gateway></gateway_item></gateways>',
  '  <staticroutes><route><network>203.0.113.0/24</network><gateway>GW_WAN</gateway></route></staticroutes>',
  '  <schedules><schedule><name>workhours</name><timerange><hour>8:00-17:00</hour></timerange></schedule></schedules>',
  '  <installedpackages><package><name>x</name></package></installedpackages>',
  '</pfsense>',
);

describe('a pfSense config.xml', () => {
  const config = parseConfigXml(CONFIG);

  it('says whose it is, with the root and version', () => {
    assert.equal(config.vendor, 'pfsense');
    assert.deepEqual(config.root, { name: 'pfsense', line: 2, path: '/pfsense' });
    assert.deepEqual(at(config.version), ['23.3', 3, '/pfsense/version']);
  });

  it('keeps the system flags as written, and what it does not know in extra', () => {
    const { system } = config;
    assert.deepEqual(at(system.ipv6allow), ['', 6, '/pfsense/system/ipv6allow']);
    assert.equal(system.disablefilter, undefined);
    assert.deepEqual(at(system.webgui?.noantilockout), ['', 7, '/pfsense/system/webgui/noantilockout']);
    assert.equal(system.webgui?.protocol?.value, 'https');
    assert.deepEqual([system.ssh?.enable?.value, system.ssh?.port?.value], ['enabled', '2222']);
    assert.deepEqual(
      system.extra.map((element) => element.name),
      ['timezone'],
    );
  });

  it('reads interfaces by their element names, lower-cased as pfSense reads them', () => {
    assert.deepEqual(
      config.interfaces.map((each) => [each.name, each.line, each.path, each.if?.value]),
      [
        ['wan', 12, '/pfsense/interfaces/wan', 'em0'],
        ['lan', 13, '/pfsense/interfaces/LAN', 'em1'],
      ],
    );
    const [wan, lan] = config.interfaces;
    assert.deepEqual([wan.ipaddr?.value, wan.blockpriv?.value, wan.blockbogons?.value, wan.subnet], ['dhcp', '', '', undefined]);
    assert.deepEqual(
      [lan.descr?.value, lan.ipaddr?.value, lan.subnet?.value, lan.ipaddrv6?.value, lan.track6Interface?.value],
      ['Inside', '192.0.2.1', '24', 'track6', 'wan'],
    );
    assert.deepEqual(
      lan.extra.map((element) => element.name),
      ['mtu'],
    );
  });

  it('reads interface groups and virtual IPs', () => {
    const [group] = config.interfaceGroups;
    assert.deepEqual([group.ifname?.value, group.memberNames, group.line], ['INSIDE', ['lan', 'opt1'], 16]);
    const [vip] = config.virtualIps;
    assert.deepEqual(
      [vip.mode?.value, vip.interface?.value, vip.subnet?.value, vip.subnet_bits?.value],
      ['ipalias', 'lan', '192.0.2.5', '32'],
    );
  });

  it('keeps every field of a filter rule as written, with its line and path', () => {
    const [floating, second] = config.filterRules;
    assert.deepEqual([floating.position, floating.line, floating.path], [0, 21, '/pfsense/filter/rule[1]']);
    assert.deepEqual(
      [
        floating.type,
        floating.interface,
        floating.floating,
        floating.quick,
        floating.direction,
        floating.ipprotocol,
        floating.protocol,
      ].map((text) => text?.value),
      ['block', 'wan,lan', 'yes', 'yes', 'out', 'inet46', 'tcp/udp'],
    );
    assert.deepEqual(at(floating.source?.address), ['web_servers', 24, '/pfsense/filter/rule[1]/source/address']);
    assert.deepEqual([floating.source?.not?.value, floating.source?.port?.value, floating.source?.any], ['', '1024-65535', undefined]);
    assert.deepEqual([floating.destination?.network?.value, floating.destination?.port?.value], ['lanip', 'https']);
    assert.deepEqual(
      [floating.sched, floating.gateway, floating.tag, floating.tagged, floating.os, floating.descr, floating.tracker].map(
        (text) => text?.value,
      ),
      ['workhours', 'GW_WAN', 'T1', 'T0', 'Windows', 'Floating & quick', '1700000001'],
    );
    assert.deepEqual(
      floating.extra.map((element) => [element.name, element.text]),
      [['max-src-conn', '10']],
    );
    assert.deepEqual([second.position, second.line, second.path], [1, 30, '/pfsense/filter/rule[3]']);
    assert.deepEqual(at(second.disabled), ['0', 31, '/pfsense/filter/rule[3]/disabled']);
    assert.equal(second.type, undefined);
    assert.deepEqual([second.source?.any?.value, second.destination?.any?.value], ['', '']);
    assert.deepEqual(
      [second.associatedRuleId?.value, second.icmptype?.value, second.protocol?.value],
      ['nat_1', 'echoreq,unreach', 'icmp'],
    );
  });

  it('drops an empty <rule/> as pfSense does, and says so', () => {
    assert.equal(config.filterRules.length, 2);
    assert.deepEqual(config.warnings, [
      { line: 29, path: '/pfsense/filter/rule[2]', message: 'empty <rule> ignored, as the firewall ignores it' },
    ]);
  });

  it("keeps <filter>'s own settings apart from its rules", () => {
    assert.deepEqual(at(config.filterSettings?.bypassstaticroutes), ['', 19, '/pfsense/filter/bypassstaticroutes']);
    assert.deepEqual(config.filterSettings?.extra, []);
  });

  it('reads aliases with their entries split on spaces', () => {
    const [hosts, feed] = config.aliases;
    assert.deepEqual(
      [hosts.origin, hosts.name?.value, hosts.type?.value, hosts.entries],
      ['legacy', 'web_servers', 'host', ['192.0.2.10', '192.0.2.11', 'other']],
    );
    assert.deepEqual([hosts.detail?.value, hosts.line, hosts.path], ['one||two||three', 36, '/pfsense/aliases/alias[1]']);
    assert.deepEqual([feed.type?.value, feed.url?.value, feed.entries], ['urltable', 'https://198.51.100.1/list', []]);
  });

  it('reads port forwards, outbound NAT and 1:1 NAT', () => {
    const [forward] = config.portForwards;
    assert.deepEqual(
      [forward.position, forward.line, forward.path, forward.target?.value, forward.localPort?.value, forward.associatedRuleId?.value],
      [0, 43, '/pfsense/nat/rule', '192.0.2.20', '443', 'pass'],
    );
    assert.deepEqual(
      [forward.destination?.network?.value, forward.destination?.port?.value, forward.natreflection?.value],
      ['wanip', '8443', 'disable'],
    );
    assert.equal(config.outboundNat?.mode?.value, 'hybrid');
    assert.deepEqual(
      config.outboundNat?.rules.map((rule) => [rule.interface?.value, rule.source?.network?.value, rule.target?.value, rule.line]),
      [['wan', '192.0.2.0/24', '198.51.100.7', 41]],
    );
    assert.deepEqual(
      config.oneToOneNat.map((rule) => [rule.external?.value, rule.source?.address?.value, rule.line]),
      [['198.51.100.9', '192.0.2.9', 46]],
    );
  });

  it('reads gateways, static routes and schedules', () => {
    assert.deepEqual(
      config.gateways.map((gateway) => [gateway.name?.value, gateway.interface?.value, gateway.gateway?.value]),
      [['GW_WAN', 'wan', '198.51.100.254']],
    );
    assert.deepEqual(
      config.staticRoutes.map((route) => [route.network?.value, route.gateway?.value]),
      [['203.0.113.0/24', 'GW_WAN']],
    );
    assert.deepEqual(
      config.schedules.map((schedule) => [schedule.name?.value, schedule.extra.map((element) => element.name)]),
      [['workhours', ['timerange']]],
    );
  });

  it('reads a config.xml without the optional sections as empty', () => {
    const bare = parseConfigXml('<pfsense/>');
    assert.deepEqual([bare.filterRules, bare.aliases, bare.interfaces, bare.portForwards, bare.outboundNat], [[], [], [], [], undefined]);
    assert.deepEqual([bare.system.line, bare.system.path, bare.system.ipv6allow], [1, '/pfsense/system', undefined]);
  });
});
