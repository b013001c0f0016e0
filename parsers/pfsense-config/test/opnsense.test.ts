import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigXml } from '../src';
import { at, xml } from './helpers';

const CONFIG = xml(
  '<?xml version="1.0"?>',
  '<opnsense>',
  '  <system><ipv6allow>1</ipv6allow><ssh><enabled>enabled</enabled></ssh></system>',
  '  <interfaces>',
  '    <lan><enable>1</enable><if>vtnet1</if><ipaddr>192.0.2.1</ipaddr><subnet>24</subnet></lan>',
  '    <lo0><enable>1</enable><if>lo0</if><virtual>1</virtual><type>none</type></lo0>',
  '    <INSIDE><if>INSIDE</if><type>group</type><virtual>1</virtual></INSIDE>',
  '  </interfaces>',
  '  <ifgroups version="1.0.0"><ifgroupentry><ifname>INSIDE</ifname><members>lan,opt1</members><sequence>5</sequence></ifgroupentry></ifgroups>',
  '  <filter>',
  '    <rule uuid="0b1c2d3e-0000-4000-8000-000000000001">',
  '      <type>pass</type><interface>lan</interface><quick>0</quick><disabled>1</disabled>',
  '      <source><network>lan</network></source><destination><any>1</any></destination>',
  '    </rule>',
  '  </filter>',
  '  <OPNsense>',
  '    <Interfaces><settings><disableipv6>0</disableipv6></settings></Interfaces>',
  '    <Firewall>',
  '      <Alias version="1.0.1"><aliases>',
  '        <alias uuid="a1"><enabled>1</enabled><name>directors</name><type>host</type>',
  '          <content>192.0.2.10',
  '192.0.2.11-192.0.2.12',
  '!192.0.2.11',
  'pool.example.org</content><description>Directors</description></alias>',
  '      </aliases></Alias>',
  '      <Filter><rules>',
  '        <rule uuid="r2"><enabled>1</enabled><sequence>20</sequence><action>block</action><quick>1</quick>',
  '          <interface>lan,opt1</interface><direction>any</direction><ipprotocol>inet46</ipprotocol><protocol>TCP/UDP</protocol>',
  '          <source_net>directors,198.51.100.0/24</source_net><source_not>1</source_not><destination_port>5060:5061</destination_port>',
  '          <description>two interfaces</description><categories/></rule>',
  '        <rule uuid="r1"><enabled>0</enabled><sequence>10</sequence><interface>lan</interface></rule>',
  '      </rules></Filter>',
  '    </Firewall>',
  '  </OPNsense>',
  '</opnsense>',
);

describe('an OPNsense config.xml', () => {
  const config = parseConfigXml(CONFIG);

  it('says whose it is', () => {
    assert.equal(config.vendor, 'opnsense');
    assert.deepEqual(at(config.interfaceSettings?.disableipv6), ['0', 17, '/opnsense/OPNsense/Interfaces/settings/disableipv6']);
    assert.deepEqual([config.system.ipv6allow?.value, config.system.ssh?.enabled?.value], ['1', 'enabled']);
  });

  it('reads interfaces by their element names as written, and groups with comma-separated members', () => {
    assert.deepEqual(
      config.interfaces.map((each) => [each.name, each.type?.value, each.virtual?.value]),
      [
        ['lan', undefined, undefined],
        ['lo0', 'none', '1'],
        ['INSIDE', 'group', '1'],
      ],
    );
    const [group] = config.interfaceGroups;
    assert.deepEqual([group.ifname?.value, group.memberNames, group.sequence?.value], ['INSIDE', ['lan', 'opt1'], '5']);
  });

  it('reads legacy rules with their uuid and booleans as written', () => {
    const [rule] = config.filterRules;
    assert.deepEqual([rule.uuid, rule.line, rule.path], ['0b1c2d3e-0000-4000-8000-000000000001', 11, '/opnsense/filter/rule']);
    assert.deepEqual([rule.quick?.value, rule.disabled?.value, rule.destination?.any?.value], ['0', '1', '1']);
  });

  it('reads MVC aliases with one entry per line of <content>', () => {
    const [alias] = config.aliases;
    assert.deepEqual(
      [alias.origin, alias.uuid, alias.name?.value, alias.type?.value, alias.enabled?.value, alias.descr?.value],
      ['mvc', 'a1', 'directors', 'host', '1', 'Directors'],
    );
    assert.deepEqual(alias.entries, ['192.0.2.10', '192.0.2.11-192.0.2.12', '!192.0.2.11', 'pool.example.org']);
    assert.deepEqual([alias.line, alias.path], [20, '/opnsense/OPNsense/Firewall/Alias/aliases/alias']);
  });

  it('reads MVC rules in document order, every field as written', () => {
    const [blocking, disabled] = config.mvcFilterRules;
    assert.deepEqual(
      [blocking.position, blocking.uuid, blocking.line, blocking.path],
      [0, 'r2', 27, '/opnsense/OPNsense/Firewall/Filter/rules/rule[1]'],
    );
    assert.deepEqual(
      [
        blocking.sequence,
        blocking.action,
        blocking.quick,
        blocking.interface,
        blocking.direction,
        blocking.ipprotocol,
        blocking.protocol,
        blocking.source_net,
        blocking.source_not,
        blocking.destination_port,
        blocking.description,
      ].map((text) => text?.value),
      ['20', 'block', '1', 'lan,opt1', 'any', 'inet46', 'TCP/UDP', 'directors,198.51.100.0/24', '1', '5060:5061', 'two interfaces'],
    );
    assert.deepEqual(
      blocking.extra.map((element) => element.name),
      ['categories'],
    );
    assert.deepEqual([disabled.position, disabled.enabled?.value, disabled.sequence?.value, disabled.action], [1, '0', '10', undefined]);
  });

  it('matches OPNsense element names as written: <Opnsense> is not its MVC section', () => {
    const other = parseConfigXml('<opnsense><Opnsense><Firewall><Filter><rules><rule/></rules></Filter></Firewall></Opnsense></opnsense>');
    assert.deepEqual(other.mvcFilterRules, []);
  });
});
