/**
 * Random pfSense and OPNsense configurations for the contract suite: a few interfaces (one of
 * them DHCP), nested host and port aliases, interface groups, port forwards, and rules with every
 * field the normalizer reads drawn at random (floating or not, quick, directions, families,
 * protocols, ports, <not/>, disabled, schedules). Deterministic per seed.
 */

function prng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

export function generateConfig(seed: number, vendor: 'pfsense' | 'opnsense'): string {
  const random = prng(seed * 7919 + (vendor === 'pfsense' ? 1 : 2));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const chance = (p: number): boolean => random() < p;
  const interfaces = ['lan', 'opt1', 'opt2'];
  const nets: Record<string, [string, string]> = {
    lan: ['192.0.2', '2001:db8:1::'],
    opt1: ['198.51.100', '2001:db8:2::'],
    opt2: ['203.0.113', '2001:db8:3::'],
  };
  const host = (iface: string, v6: boolean): string =>
    v6 ? `${nets[iface][1]}${Math.floor(random() * 200) + 2}` : `${nets[iface][0]}.${Math.floor(random() * 200) + 2}`;
  const on = vendor === 'pfsense' ? '' : '1';
  const lines: string[] = ['<?xml version="1.0"?>', `<${vendor}>`, '<system>'];
  if (chance(0.7)) lines.push(`<ipv6allow>${on}</ipv6allow>`);
  lines.push('<webgui><protocol>https</protocol></webgui>');
  if (chance(0.3)) lines.push(vendor === 'pfsense' ? '<ssh><enable>enabled</enable></ssh>' : '<ssh><enabled>enabled</enabled></ssh>');
  lines.push(
    '</system>',
    '<interfaces>',
    `<wan><enable>${on}</enable><if>em0</if><ipaddr>dhcp</ipaddr>${chance(0.5) ? `<blockpriv>${on || ''}</blockpriv>` : ''}${chance(0.5) ? `<blockbogons>${on}</blockbogons>` : ''}</wan>`,
  );
  interfaces.forEach((iface, i) => {
    const enabled = iface !== 'opt2' || chance(0.6);
    lines.push(
      `<${iface}>${enabled ? `<enable>${on}</enable>` : ''}<if>em${i + 1}</if><ipaddr>${nets[iface][0]}.1</ipaddr><subnet>24</subnet><ipaddrv6>${nets[iface][1]}1</ipaddrv6><subnetv6>64</subnetv6></${iface}>`,
    );
  });
  lines.push('</interfaces>');
  lines.push(
    '<virtualip><vip><mode>ipalias</mode><interface>opt1</interface><subnet>198.51.100.250</subnet><subnet_bits>32</subnet_bits></vip></virtualip>',
  );
  lines.push('<ifgroups><ifgroupentry><ifname>INSIDE</ifname><members>lan opt2</members></ifgroupentry></ifgroups>');
  const hostAliases = ['hosts_a', 'hosts_b', 'nested'];
  const portAliases = ['ports_a', 'ports_b'];
  const aliasContent: Record<string, string[]> = {
    hosts_a: [host('lan', false), host('opt1', false), host('lan', true)],
    hosts_b: [`${nets.opt2[0]}.0/25`, `${host('opt1', false)}-${nets.opt1[0]}.240`],
    nested: ['hosts_a', host('opt2', false), ...(chance(0.3) ? ['nested'] : [])],
    ports_a: ['22', '8000:8080'],
    ports_b: ['443', 'ports_a'],
  };
  const aliasType = (name: string): string => (portAliases.includes(name) ? 'port' : name === 'hosts_b' ? 'network' : 'host');
  if (vendor === 'pfsense') {
    lines.push('<aliases>');
    for (const [name, content] of Object.entries(aliasContent))
      lines.push(`<alias><name>${name}</name><type>${aliasType(name)}</type><address>${content.join(' ')}</address></alias>`);
    lines.push('</aliases>');
  }
  const address = (v6: boolean): string =>
    pick([
      ...hostAliases,
      host(pick(interfaces), v6),
      `${host(pick(interfaces), v6)}`,
      ...(v6 ? [] : [`${nets[pick(interfaces)][0]}.0/26`]),
    ]);
  const network = (): string => pick(['lan', 'opt1', 'opt2', 'lanip', 'opt1ip', '(self)', 'INSIDE']);
  const port = (): string => pick(['22', '443', '5061', '1024-65535', '8000-8080', 'ports_a', 'ports_b', '50001:50003']);
  const protocol = (): string => pick(['tcp', 'udp', 'tcp/udp', 'icmp', '']);
  // Port forwards.
  lines.push('<nat>');
  for (let i = 0; i < 2; i++) {
    const fields = [
      `<interface>${pick(['wan', 'opt1'])}</interface>`,
      '<protocol>tcp</protocol>',
      vendor === 'pfsense' ? '<source><any/></source>' : '<source><network>any</network></source>',
      vendor === 'pfsense'
        ? `<destination><network>opt1ip</network><port>${8400 + i * 10}-${8405 + i * 10}</port></destination>`
        : `<destination><network>opt1ip</network><port>${8400 + i * 10}-${8405 + i * 10}</port></destination>`,
      `<target>${host('lan', false)}</target>`,
      `<local-port>${pick(['443', '9000'])}</local-port>`,
    ];
    if (vendor === 'pfsense' && chance(0.4)) fields.push('<associated-rule-id>pass</associated-rule-id>');
    if (vendor === 'opnsense') fields.push(`<pass>${pick(['pass', 'rule', ''])}</pass>`);
    lines.push(`<rule>${fields.join('')}</rule>`);
  }
  lines.push('</nat>');
  // Rules.
  const ruleCount = 6 + Math.floor(random() * 10);
  const legacy: string[] = [];
  const mvc: string[] = [];
  for (let i = 0; i < ruleCount; i++) {
    const proto = protocol();
    const family = pick(['inet', 'inet6', 'inet46', ...(vendor === 'opnsense' ? [''] : [])]);
    const v6 = family === 'inet6';
    const floating = chance(0.3);
    const ports = ['tcp', 'udp', 'tcp/udp'].includes(proto) || proto === '';
    if (vendor === 'opnsense' && chance(0.6)) {
      const fields = [
        `<sequence>${Math.floor(random() * 100)}</sequence>`,
        `<action>${pick(['pass', 'block', 'reject'])}</action>`,
        `<interface>${floating ? pick(['lan,opt1', 'opt1,opt2', '']) : pick([...interfaces, 'INSIDE'])}</interface>`,
        chance(0.3) ? `<quick>${pick(['0', '1'])}</quick>` : '',
        chance(0.5) ? `<direction>${pick(['in', 'out', 'any'])}</direction>` : '',
        family ? `<ipprotocol>${family}</ipprotocol>` : '',
        proto && proto !== 'icmp' ? `<protocol>${proto.toUpperCase()}</protocol>` : '',
        chance(0.7) ? `<source_net>${pick([address(v6), 'lan', 'any', `${address(v6)},${address(v6)}`])}</source_net>` : '',
        chance(0.2) ? '<source_not>1</source_not>' : '',
        chance(0.7) ? `<destination_net>${pick([address(v6), 'opt1', '(self)', 'lanip'])}</destination_net>` : '',
        ports && proto && chance(0.6) ? `<destination_port>${port().replace('-', ':')}</destination_port>` : '',
        chance(0.15) ? `<enabled>0</enabled>` : '',
      ];
      mvc.push(`<rule uuid="g${i}">${fields.join('')}</rule>`);
      continue;
    }
    const endpoint = (side: string, allowPort: boolean): string => {
      const kind = pick(['any', 'address', 'network']);
      const body =
        kind === 'any' ? `<any>${on}</any>` : kind === 'address' ? `<address>${address(v6)}</address>` : `<network>${network()}</network>`;
      const not = chance(0.2) ? `<not>${on}</not>` : '';
      const portField = allowPort && ports && chance(0.5) ? `<port>${port()}</port>` : '';
      return `<${side}>${body}${not}${portField}</${side}>`;
    };
    const fields = [
      `<type>${pick(['pass', 'block', 'reject', 'pass', 'match'])}</type>`,
      `<interface>${floating ? pick(['', 'any', 'lan,opt1', 'opt1', 'wan,opt2']) : pick([...interfaces, 'INSIDE', 'wan'])}</interface>`,
      floating ? `<floating>yes</floating>` : '',
      floating && chance(0.5) ? `<quick>${vendor === 'pfsense' ? 'yes' : pick(['0', '1'])}</quick>` : '',
      floating || vendor === 'opnsense' ? `<direction>${pick(['in', 'out', 'any', ''])}</direction>` : '',
      family ? `<ipprotocol>${family}</ipprotocol>` : '',
      proto ? `<protocol>${proto}</protocol>` : '',
      proto === 'icmp' && chance(0.5) ? `<icmptype>${pick(['echoreq', 'unreach,echorep'])}</icmptype>` : '',
      endpoint('source', chance(0.2)),
      endpoint('destination', true),
      chance(0.1) ? `<disabled>${pick(['', '0', '1'])}</disabled>` : '',
      chance(0.1) ? '<sched>nonesuch</sched>' : '',
    ];
    legacy.push(`<rule>${fields.join('')}<descr>rule ${i}</descr></rule>`);
  }
  lines.push('<filter>', ...legacy, '</filter>');
  if (vendor === 'opnsense') {
    lines.push('<OPNsense><Firewall><Alias><aliases>');
    for (const [name, content] of Object.entries(aliasContent)) {
      lines.push(
        `<alias><enabled>1</enabled><name>${name}</name><type>${aliasType(name)}</type><content>${content.join('\n')}</content></alias>`,
      );
    }
    lines.push('</aliases></Alias>', `<Filter><rules>${mvc.join('\n')}</rules></Filter>`, '</Firewall></OPNsense>');
  }
  lines.push(`</${vendor}>`);
  return lines.join('\n') + '\n';
}
