/**
 * Seeded pfSense config.xml and Windows Firewall GPO reports of any number of rules, for the
 * benchmark against `xmllint --noout`: rules on the site's interfaces (pfSense) or the Domain
 * profile (Windows) that allow and block TCP and UDP services from hosts and networks of the
 * site, with the overlap of a long-lived rule base (repeated services, narrower blocks first).
 */
import { SITE } from './site';
import { Random } from './random';

/** A source of the site: one host or a /24-/28 network of the clients or servers. */
function source(random: Random): string {
  const base = random.chance(0.5) ? SITE.clients.base : SITE.servers.base;
  return random.chance(0.7) ? `${base}${random.between(2, 250)}` : `${base}${16 * random.between(0, 15)}/${random.between(24, 28)}`;
}

const SERVICES = [22, 80, 443, 444, 445, 3389, 5061, 5062, 8080, 8443, 4443, 135, 5985, 1433];

function port(random: Random): number {
  return random.chance(0.8) ? random.pick(SERVICES) : random.between(1024, 65535);
}

/** A pfSense configuration: WAN, LAN (the clients), OPT1 (the servers) and `rules` filter rules. */
export function pfsenseConfig(rules: number, seed: number): string {
  const random = new Random(seed);
  const lines = [
    '<?xml version="1.0"?>',
    '<pfsense>',
    '<system><webgui><protocol>https</protocol></webgui></system>',
    '<interfaces>',
    `<wan><enable/><if>em0</if><ipaddr>${SITE.perimeter.base}1</ipaddr><subnet>24</subnet></wan>`,
    `<lan><enable/><if>em1</if><ipaddr>${SITE.clients.base}1</ipaddr><subnet>24</subnet></lan>`,
    `<opt1><enable/><if>em2</if><ipaddr>${SITE.servers.base}1</ipaddr><subnet>24</subnet></opt1>`,
    '</interfaces>',
    '<filter>',
  ];
  for (let i = 0; i < rules; i++) {
    const type = random.chance(0.75) ? 'pass' : 'block';
    const iface = random.pick(['wan', 'lan', 'opt1']);
    const proto = random.pick(['tcp', 'tcp', 'udp', 'tcp/udp']);
    const src = random.chance(0.2) ? '<any/>' : `<address>${source(random)}</address>`;
    const dst = random.chance(0.3) ? `<network>opt1</network>` : `<address>${SITE.servers.base}${random.between(2, 60)}</address>`;
    lines.push(
      `<rule><type>${type}</type><interface>${iface}</interface><ipprotocol>inet</ipprotocol><protocol>${proto}</protocol>` +
        `<source>${src}</source><destination>${dst}<port>${port(random)}</port></destination><descr>rule ${i}</descr></rule>`,
    );
  }
  lines.push('</filter>', '</pfsense>', '');
  return lines.join('\n');
}

/** A GPO report (UTF-8) of one computer policy: the Domain profile on, blocking inbound by default, and `rules` inbound rules. */
export function windowsGpoReport(rules: number, seed: number): string {
  const random = new Random(seed);
  const q = (name: string, value: string | number): string => `<q1:${name}>${value}</q1:${name}>`;
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<GPO xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.microsoft.com/GroupPolicy/Settings">',
    '<Name>Generated firewall policy</Name>',
    '<Computer><VersionDirectory>1</VersionDirectory><VersionSysvol>1</VersionSysvol><Enabled>true</Enabled><ExtensionData>',
    '<Extension xmlns:q1="http://www.microsoft.com/GroupPolicy/Settings/WindowsFirewall" xsi:type="q1:WindowsFirewallSettings">',
    '<q1:GlobalSettings><q1:PolicyVersion><q1:Value>543</q1:Value></q1:PolicyVersion></q1:GlobalSettings>',
    '<q1:DomainProfile><q1:AllowLocalPolicyMerge><q1:Value>false</q1:Value></q1:AllowLocalPolicyMerge>' +
      '<q1:DefaultInboundAction><q1:Value>true</q1:Value></q1:DefaultInboundAction>' +
      '<q1:DefaultOutboundAction><q1:Value>false</q1:Value></q1:DefaultOutboundAction>' +
      '<q1:EnableFirewall><q1:Value>true</q1:Value></q1:EnableFirewall></q1:DomainProfile>',
  ];
  for (let i = 0; i < rules; i++) {
    const action = random.chance(0.8) ? 'Allow' : 'Block';
    lines.push(
      '<q1:InboundFirewallRules>' +
        q('Version', '2.31') +
        q('Action', action) +
        q('Name', `Generated rule ${i}`) +
        q('Dir', 'In') +
        q('Profile', 'Domain') +
        (random.chance(0.8) ? q('RA4', source(random)) : '') +
        q('LPort', port(random)) +
        q('Protocol', random.chance(0.8) ? 6 : 17) +
        q('Active', 'true') +
        '</q1:InboundFirewallRules>',
    );
  }
  lines.push('</Extension>', '</ExtensionData></Computer>', '</GPO>', '');
  return lines.join('\n');
}
