import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigXml } from '../../parsers/pfsense-config/src';
import type { Diagnostic } from '../../src/model/errors';
import { Ranges, formatRanges, type Family } from '../../src/packetset';
import { opnsenseAddresses, pfsenseAddresses, type AddressContext, type PfsenseEndpoint } from '../../src/normalize/pfsense/addresses';
import { AliasTable } from '../../src/normalize/pfsense/aliases';
import { OPNSENSE, PFSENSE } from '../../src/normalize/pfsense/dialect';
import type { Fuzzy } from '../../src/normalize/pfsense/fuzzy';
import { InterfaceTable } from '../../src/normalize/pfsense/interfaces';

const PFSENSE_CONFIG = `<pfsense>
  <interfaces>
    <wan><enable/><if>em0</if><ipaddr>dhcp</ipaddr></wan>
    <lan><enable/><if>em1</if><ipaddr>192.0.2.1</ipaddr><subnet>24</subnet><ipaddrv6>2001:db8:1::1</ipaddrv6><subnetv6>64</subnetv6></lan>
    <opt1><enable/><if>em2</if><descr>DMZ</descr><ipaddr>198.51.100.1</ipaddr><subnet>25</subnet></opt1>
    <opt2><if>em3</if><ipaddr>203.0.113.1</ipaddr><subnet>24</subnet></opt2>
  </interfaces>
  <virtualip>
    <vip><mode>ipalias</mode><interface>lan</interface><subnet>192.0.2.5</subnet><subnet_bits>32</subnet_bits></vip>
    <vip><mode>ipalias</mode><interface>opt1</interface><subnet>198.51.100.200</subnet><subnet_bits>29</subnet_bits></vip>
    <vip><mode>proxyarp</mode><interface>lan</interface><subnet>192.0.2.9</subnet><subnet_bits>32</subnet_bits></vip>
  </virtualip>
  <ifgroups><ifgroupentry><ifname>INSIDE</ifname><members>lan opt1 opt2</members></ifgroupentry></ifgroups>
  <aliases>
    <alias><name>directors</name><type>host</type><address>192.0.2.10 192.0.2.11</address></alias>
    <alias><name>pool</name><type>network</type><address>directors 198.51.100.0/26 192.0.2.20-192.0.2.23</address></alias>
    <alias><name>loop_a</name><type>host</type><address>192.0.2.30 loop_b</address></alias>
    <alias><name>loop_b</name><type>host</type><address>192.0.2.31 loop_a</address></alias>
    <alias><name>named</name><type>host</type><address>192.0.2.40 edge.example.org</address></alias>
    <alias><name>feed</name><type>urltable</type><url>https://198.51.100.1/x</url></alias>
    <alias><name>uses_feed</name><type>network</type><address>feed 192.0.2.50</address></alias>
    <alias><name>sip</name><type>port</type><address>5060:5061 tls</address></alias>
    <alias><name>tls</name><type>port</type><address>443 https 5061</address></alias>
  </aliases>
</pfsense>`;

function context(text: string, vendor: 'pfsense' | 'opnsense'): { context: AddressContext; warnings: Diagnostic[] } {
  const warnings: Diagnostic[] = [];
  const config = parseConfigXml(text);
  const dialect = vendor === 'pfsense' ? PFSENSE : OPNSENSE;
  return {
    context: {
      interfaces: new InterfaceTable(config, 'config.xml', warnings),
      aliases: new AliasTable(config, dialect, 'config.xml', warnings),
    },
    warnings,
  };
}

function text(family: Family, set: Fuzzy): { surely: string[]; may: string[]; uncertain: readonly string[] } {
  return { surely: formatRanges(family, set.surely), may: formatRanges(family, set.may), uncertain: set.uncertain };
}

function decided(family: Family, set: Fuzzy): string[] {
  assert.deepEqual(set.surely, set.may, 'expected a decided set');
  return formatRanges(family, set.surely);
}

const endpoint = (fields: Partial<PfsenseEndpoint>): PfsenseEndpoint => ({ any: false, network: '', address: '', not: false, ...fields });

describe('pfSense interfaces', () => {
  const { context: ctx, warnings } = context(PFSENSE_CONFIG, 'pfsense');
  const { interfaces } = ctx;

  it('knows which are enabled, with their labels', () => {
    assert.deepEqual(
      interfaces.enabled().map((i) => [i.key, i.label, i.device]),
      [
        ['wan', 'WAN', 'em0'],
        ['lan', 'LAN', 'em1'],
        ['opt1', 'DMZ', 'em2'],
      ],
    );
    assert.equal(interfaces.get('opt2')?.enabled, false);
    assert.deepEqual(warnings, []);
  });

  it('gives an interface network with its virtual IPs outside it, and its address', () => {
    const lan = interfaces.get('lan')!;
    const dmz = interfaces.get('opt1')!;
    assert.deepEqual(decided(4, interfaces.network(lan, 4)), ['192.0.2.0/24']);
    assert.deepEqual(decided(6, interfaces.network(lan, 6)), ['2001:db8:1::/64']);
    assert.deepEqual(decided(4, interfaces.network(dmz, 4)), ['198.51.100.0/25', '198.51.100.200/29']);
    assert.deepEqual(decided(4, interfaces.address(lan, 4)), ['192.0.2.1']);
  });

  it('says a DHCP interface address is known at run time, outside the other interfaces networks', () => {
    const wan = interfaces.get('wan')!;
    assert.deepEqual(text(4, interfaces.address(wan, 4)), {
      surely: [],
      may: ['0.0.0.0-192.0.1.255', '192.0.3.0-198.51.99.255', '198.51.100.128-255.255.255.255'],
      uncertain: ["WAN's IPv4 address comes from dhcp at run time"],
    });
  });

  it('counts the IP aliases but not proxy ARP addresses as the firewall own', () => {
    const self = interfaces.self(4);
    assert.deepEqual(formatRanges(4, self.surely), ['192.0.2.1', '192.0.2.5', '198.51.100.1', '198.51.100.200']);
    assert.equal(self.may.contains(0x0a000001n), true);
    assert.equal(self.may.contains(0xc0000209n), false);
  });
});

describe('pfSense addresses', () => {
  const { context: ctx, warnings } = context(PFSENSE_CONFIG, 'pfsense');

  it('reads <any/>, literal addresses and <not/>; a literal range drops the rule', () => {
    assert.deepEqual(decided(4, resolved(pfsenseAddresses(endpoint({ any: true }), 4, ctx, 'source'))), ['0.0.0.0/0']);
    assert.deepEqual(pfsenseAddresses(endpoint({ address: '192.0.2.7-192.0.2.8' }), 4, ctx, 'source'), {
      ok: false,
      reason: 'source 192.0.2.7-192.0.2.8 is a range, which pfSense takes only in an alias (alias_expand: unresolvable alias)',
    });
    assert.deepEqual(decided(4, resolved(pfsenseAddresses(endpoint({ address: '192.0.2.0/25', not: true }), 4, ctx, 'source'))), [
      '0.0.0.0-192.0.1.255',
      '192.0.2.128-255.255.255.255',
    ]);
    assert.deepEqual(decided(6, resolved(pfsenseAddresses(endpoint({ address: '192.0.2.1' }), 6, ctx, 'source'))), []);
  });

  it('expands nested aliases and cuts a cycle, reporting it once', () => {
    assert.deepEqual(decided(4, resolved(pfsenseAddresses(endpoint({ address: 'pool' }), 4, ctx, 'destination'))), [
      '192.0.2.10/31',
      '192.0.2.20/30',
      '198.51.100.0/26',
    ]);
    assert.deepEqual(decided(4, resolved(pfsenseAddresses(endpoint({ address: 'loop_a' }), 4, ctx, 'source'))), ['192.0.2.30/31']);
    assert.deepEqual(decided(4, resolved(pfsenseAddresses(endpoint({ address: 'loop_b' }), 4, ctx, 'source'))), ['192.0.2.30/31']);
    assert.deepEqual(
      warnings.map((w) => [w.location.line, w.message]),
      [[18, 'aliases nest in a cycle (loop_a → loop_b → loop_a): the nesting is cut there']],
    );
  });

  it('makes an alias with a host name undetermined beyond its literal addresses', () => {
    const named = resolved(pfsenseAddresses(endpoint({ address: 'named' }), 4, ctx, 'destination'));
    assert.deepEqual(formatRanges(4, named.surely), ['192.0.2.40']);
    assert.deepEqual(formatRanges(4, named.may), ['0.0.0.0/0']);
    assert.deepEqual(named.uncertain, ['alias named holds host names (edge.example.org), resolved at run time']);
  });

  it('drops a rule with an undefined alias', () => {
    assert.deepEqual(pfsenseAddresses(endpoint({ address: 'nonesuch' }), 4, ctx, 'source'), {
      ok: false,
      reason: 'source alias nonesuch is not defined',
    });
  });

  it('knows a downloaded alias only at run time, even nested (alias_expand loads the rule once the download holds entries)', () => {
    const why =
      'alias feed is a urltable alias: pfSense downloads its content at run time, and loads a rule using it only while the download holds entries';
    assert.deepEqual(text(4, resolved(pfsenseAddresses(endpoint({ address: 'feed' }), 4, ctx, 'source'))), {
      surely: [],
      may: ['0.0.0.0/0'],
      uncertain: [why],
    });
    assert.deepEqual(text(4, resolved(pfsenseAddresses(endpoint({ address: 'uses_feed' }), 4, ctx, 'source'))), {
      surely: ['192.0.2.50'],
      may: ['0.0.0.0/0'],
      uncertain: [why],
    });
  });

  it('reads interface networks, addresses, groups and (self); a CIDR or disabled interface in <network> drops the rule', () => {
    assert.deepEqual(decided(4, resolved(pfsenseAddresses(endpoint({ network: 'lan' }), 4, ctx, 'source'))), ['192.0.2.0/24']);
    assert.deepEqual(decided(4, resolved(pfsenseAddresses(endpoint({ network: 'opt1ip' }), 4, ctx, 'source'))), ['198.51.100.1']);
    assert.deepEqual(decided(4, resolved(pfsenseAddresses(endpoint({ network: 'INSIDE' }), 4, ctx, 'source'))), [
      '192.0.2.0/24',
      '198.51.100.0/25',
      '198.51.100.200/29',
    ]);
    assert.deepEqual(decided(6, resolved(pfsenseAddresses(endpoint({ network: 'opt1' }), 6, ctx, 'source'))), []);
    assert.deepEqual(pfsenseAddresses(endpoint({ network: 'opt1ip' }), 6, ctx, 'source'), {
      ok: false,
      reason: 'source opt1ip: DMZ has no IPv6 address',
    });
    assert.equal(pfsenseAddresses(endpoint({ network: '192.0.2.0/24' }), 4, ctx, 'source').ok, false);
    assert.equal(pfsenseAddresses(endpoint({ network: 'opt2' }), 4, ctx, 'source').ok, false);
    assert.deepEqual(pfsenseAddresses(endpoint({}), 4, ctx, 'destination'), {
      ok: false,
      reason: 'the destination is empty: expected <any/>, <address> or <network>',
    });
  });

  it('resolves port aliases, nested, with service names and a:b ranges', () => {
    const sip = ctx.aliases.ports('sip');
    assert.ok(sip?.ok);
    assert.deepEqual(
      sip.value,
      Ranges.fromIntervals([
        [443n, 443n],
        [5060n, 5061n],
      ]),
    );
    assert.equal(ctx.aliases.ports('directors'), undefined);
  });
});

const OPNSENSE_CONFIG = `<opnsense>
  <interfaces>
    <lan><enable>1</enable><if>vtnet1</if><ipaddr>192.0.2.1</ipaddr><subnet>24</subnet></lan>
  </interfaces>
  <OPNsense><Firewall><Alias><aliases>
    <alias><enabled>1</enabled><name>all_but</name><type>network</type><content>192.0.2.0/24
!192.0.2.128/25
192.0.2.200</content></alias>
    <alias><enabled>0</enabled><name>off</name><type>host</type><content>192.0.2.9</content></alias>
    <alias><enabled>1</enabled><name>nl</name><type>geoip</type><content>NL</content></alias>
  </aliases></Alias></Firewall></OPNsense>
</opnsense>`;

describe('OPNsense addresses', () => {
  const { context: ctx, warnings } = context(OPNSENSE_CONFIG, 'opnsense');

  it('applies ! exclusions by the most specific entry', () => {
    assert.deepEqual(decided(4, resolved(opnsenseAddresses('all_but', false, 4, ctx, 'source'))), ['192.0.2.0/25', '192.0.2.200']);
  });

  it('keeps a disabled alias empty and a GeoIP alias undetermined', () => {
    assert.deepEqual(decided(4, resolved(opnsenseAddresses('off', false, 4, ctx, 'source'))), []);
    assert.deepEqual(
      warnings.map((w) => w.message),
      ['alias off is disabled: OPNsense keeps its table empty'],
    );
    const nl = resolved(opnsenseAddresses('nl', false, 4, ctx, 'source'));
    assert.deepEqual(
      [nl.surely.isEmpty(), formatRanges(4, nl.may), nl.uncertain],
      [true, ['0.0.0.0/0'], ['alias nl is a geoip alias, whose content OPNsense looks up at run time']],
    );
  });

  it('reads interfaces, lanip, addresses and networks; a range or unknown word disables the rule', () => {
    assert.deepEqual(decided(4, resolved(opnsenseAddresses('lan', false, 4, ctx, 'source'))), ['192.0.2.0/24']);
    assert.deepEqual(decided(4, resolved(opnsenseAddresses('lanip', false, 4, ctx, 'source'))), ['192.0.2.1']);
    assert.deepEqual(decided(4, resolved(opnsenseAddresses('198.51.100.0/24', false, 4, ctx, 'source'))), ['198.51.100.0/24']);
    assert.equal(opnsenseAddresses('192.0.2.1-192.0.2.3', false, 4, ctx, 'source').ok, false);
    assert.deepEqual(opnsenseAddresses('nonesuch', false, 4, ctx, 'destination'), {
      ok: false,
      reason: 'destination nonesuch is neither an address, a network, an enabled interface nor an alias: OPNsense disables the rule',
    });
  });
});

function resolved(resolution: { ok: true; value: Fuzzy } | { ok: false; reason: string }): Fuzzy {
  assert.ok(resolution.ok, resolution.ok ? '' : resolution.reason);
  return resolution.value;
}
