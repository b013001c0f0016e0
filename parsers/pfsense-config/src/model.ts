/**
 * A pfSense or OPNsense config.xml in the vendor's own words. Nothing here is interpreted: values
 * are the trimmed text of their elements, present or absent as written (`<disabled/>`,
 * `<disabled>0</disabled>` and no `<disabled>` are three different things, and which of them
 * disables a rule depends on the vendor). Every item keeps the line of its element and an
 * XPath-like path; elements this reader does not know are kept in `extra`, in document order.
 */
import type { XmlElement } from '../../xml-source/src';

export type Vendor = 'pfsense' | 'opnsense';

export interface Located {
  /** 1-based line of the element's start tag. */
  readonly line: number;
  /** XPath-like locator: `/pfsense/filter/rule[3]`. */
  readonly path: string;
}

/** A leaf element: its trimmed text (empty for `<any/>`). */
export interface Text extends Located {
  readonly value: string;
}

/** What every item carries besides its known fields: the child elements this reader does not know. */
export interface Item extends Located {
  readonly extra: readonly XmlElement[];
}

export interface ConfigDocument {
  readonly vendor: Vendor;
  /** The root element (`<pfsense>` or `<opnsense>`). */
  readonly root: Located & { readonly name: string };
  /** `<version>`: the configuration schema version (pfSense 15.4, 18.9, …). */
  readonly version: Text | undefined;
  readonly system: SystemSettings;
  /** OPNsense `<OPNsense><Interfaces><settings>` (IPv6 is switched off here since 26.1). */
  readonly interfaceSettings: InterfaceSettings | undefined;
  /** `<filter>`'s own settings (its rules are in `filterRules`). */
  readonly filterSettings: FilterSettings | undefined;
  readonly interfaces: readonly Interface[];
  readonly interfaceGroups: readonly InterfaceGroup[];
  readonly virtualIps: readonly VirtualIp[];
  readonly aliases: readonly Alias[];
  /** `<filter><rule>`, in document order: pfSense's rules, and OPNsense's legacy ones. */
  readonly filterRules: readonly FilterRule[];
  /** OPNsense `<OPNsense><Firewall><Filter><rules><rule>`, in document order. */
  readonly mvcFilterRules: readonly MvcFilterRule[];
  /** `<nat><rule>`: port forwards (pfSense, and OPNsense's destination NAT). */
  readonly portForwards: readonly PortForward[];
  readonly outboundNat: OutboundNat | undefined;
  /** `<nat><onetoone>`. */
  readonly oneToOneNat: readonly OneToOneNat[];
  readonly gateways: readonly Gateway[];
  readonly staticRoutes: readonly StaticRoute[];
  readonly schedules: readonly Schedule[];
  readonly warnings: readonly ConfigWarning[];
}

/** Something the reader noticed and the vendor would have done without complaint, such as dropping an empty `<rule/>`. */
export interface ConfigWarning extends Located {
  readonly message: string;
}

export interface SystemSettings extends Item {
  readonly hostname: Text | undefined;
  readonly domain: Text | undefined;
  readonly ipv6allow: Text | undefined;
  readonly disablefilter: Text | undefined;
  readonly no_apipa_block: Text | undefined;
  /** OPNsense: no block of port 0. */
  readonly no_port0_block: Text | undefined;
  readonly disablenatreflection: Text | undefined;
  readonly enablenatreflectionpurenat: Text | undefined;
  readonly disablereplyto: Text | undefined;
  readonly webgui: WebGuiSettings | undefined;
  readonly ssh: SshSettings | undefined;
}

export interface WebGuiSettings extends Item {
  readonly protocol: Text | undefined;
  readonly port: Text | undefined;
  readonly noantilockout: Text | undefined;
  readonly disablehttpredirect: Text | undefined;
}

export interface SshSettings extends Item {
  /** pfSense: `<enable>` (present = enabled). */
  readonly enable: Text | undefined;
  /** OPNsense: `<enabled>`. */
  readonly enabled: Text | undefined;
  readonly port: Text | undefined;
}

export interface InterfaceSettings extends Item {
  readonly disableipv6: Text | undefined;
}

export interface FilterSettings extends Item {
  readonly bypassstaticroutes: Text | undefined;
}

/** A child of `<interfaces>`: `<wan>`, `<lan>`, `<opt1>`, or (OPNsense) a device-named one such as `<lo0>`. */
export interface Interface extends Item {
  /** The element's name: the interface's key that rules refer to (`wan`, `lan`, `opt3`). */
  readonly name: string;
  readonly if: Text | undefined;
  readonly enable: Text | undefined;
  readonly descr: Text | undefined;
  /** An address, or `dhcp`, `pppoe`, … */
  readonly ipaddr: Text | undefined;
  readonly subnet: Text | undefined;
  /** An address, or `dhcp6`, `slaac`, `track6`, `6rd`, … */
  readonly ipaddrv6: Text | undefined;
  readonly subnetv6: Text | undefined;
  readonly gateway: Text | undefined;
  readonly gatewayv6: Text | undefined;
  readonly blockpriv: Text | undefined;
  readonly blockbogons: Text | undefined;
  readonly track6Interface: Text | undefined;
  /** OPNsense: `group` for interface groups and other virtual entries. */
  readonly type: Text | undefined;
  /** OPNsense: set on loopback, OpenVPN and other virtual entries. */
  readonly virtual: Text | undefined;
}

/** `<ifgroups><ifgroupentry>`. */
export interface InterfaceGroup extends Item {
  readonly ifname: Text | undefined;
  readonly members: Text | undefined;
  /** The members, split as written (pfSense separates them by spaces, OPNsense by commas). */
  readonly memberNames: readonly string[];
  readonly descr: Text | undefined;
  /** OPNsense: the order of group rules. */
  readonly sequence: Text | undefined;
}

/** `<virtualip><vip>`. */
export interface VirtualIp extends Item {
  readonly mode: Text | undefined;
  readonly interface: Text | undefined;
  readonly subnet: Text | undefined;
  readonly subnet_bits: Text | undefined;
  readonly type: Text | undefined;
  readonly descr: Text | undefined;
}

/**
 * An alias: pfSense `<aliases><alias>` (entries in `<address>`, separated by spaces) or OPNsense
 * `<OPNsense><Firewall><Alias><aliases><alias>` (entries in `<content>`, one per line).
 */
export interface Alias extends Item {
  readonly origin: 'legacy' | 'mvc';
  readonly uuid: string | undefined;
  readonly name: Text | undefined;
  readonly type: Text | undefined;
  /** OPNsense MVC: `<enabled>`. */
  readonly enabled: Text | undefined;
  /** `<address>` (legacy) or `<content>` (MVC) as written. */
  readonly content: Text | undefined;
  /** The entries of `content`, split as the vendor splits them. */
  readonly entries: readonly string[];
  /** pfSense: the entries' descriptions, separated by `||`. */
  readonly detail: Text | undefined;
  readonly descr: Text | undefined;
  readonly url: Text | undefined;
  readonly aliasurl: readonly Text[];
  readonly updatefreq: Text | undefined;
  /** OPNsense MVC: IPv4 / IPv6 restriction of a GeoIP or ASN alias. */
  readonly proto: Text | undefined;
}

/** `<source>` or `<destination>` of a rule: `<any/>`, `<address>`, `<network>`, `<port>`, `<not/>`. */
export interface Endpoint extends Item {
  readonly any: Text | undefined;
  readonly address: Text | undefined;
  readonly network: Text | undefined;
  readonly port: Text | undefined;
  readonly not: Text | undefined;
}

/** `<filter><rule>`: pfSense's filter rules, and OPNsense's legacy ones. */
export interface FilterRule extends Item {
  /** 0-based position among `<filter>`'s rules (pfSense's rule id). */
  readonly position: number;
  /** OPNsense: the `uuid` attribute. */
  readonly uuid: string | undefined;
  readonly id: Text | undefined;
  readonly tracker: Text | undefined;
  /** pass | block | reject | match; missing means pass. */
  readonly type: Text | undefined;
  readonly interface: Text | undefined;
  /** OPNsense: the rule applies to every interface but the named one. */
  readonly interfacenot: Text | undefined;
  readonly floating: Text | undefined;
  readonly quick: Text | undefined;
  readonly direction: Text | undefined;
  readonly ipprotocol: Text | undefined;
  readonly protocol: Text | undefined;
  readonly icmptype: Text | undefined;
  /** OPNsense: ICMPv6 types. */
  readonly icmp6type: Text | undefined;
  readonly source: Endpoint | undefined;
  readonly destination: Endpoint | undefined;
  readonly disabled: Text | undefined;
  readonly sched: Text | undefined;
  readonly gateway: Text | undefined;
  readonly tag: Text | undefined;
  readonly tagged: Text | undefined;
  readonly nottagged: Text | undefined;
  readonly os: Text | undefined;
  readonly dscp: Text | undefined;
  readonly vlanprio: Text | undefined;
  readonly tcpflags1: Text | undefined;
  readonly tcpflags2: Text | undefined;
  readonly tcpflags_any: Text | undefined;
  readonly allowopts: Text | undefined;
  readonly statetype: Text | undefined;
  readonly log: Text | undefined;
  readonly descr: Text | undefined;
  /** The port forward that created this rule (`nat_…`), or on a port forward `pass` for `rdr pass`. */
  readonly associatedRuleId: Text | undefined;
  /** pfSense: a NAT64 rule. */
  readonly nat: Text | undefined;
}

/** OPNsense `<OPNsense><Firewall><Filter><rules><rule>` (24.1 on). */
export interface MvcFilterRule extends Item {
  readonly position: number;
  readonly uuid: string | undefined;
  readonly enabled: Text | undefined;
  readonly sequence: Text | undefined;
  /** pass | block | reject. */
  readonly action: Text | undefined;
  readonly quick: Text | undefined;
  /** Comma-separated interface keys. */
  readonly interface: Text | undefined;
  readonly interfacenot: Text | undefined;
  /** in | out | any. */
  readonly direction: Text | undefined;
  /** inet | inet6 | inet46. */
  readonly ipprotocol: Text | undefined;
  readonly protocol: Text | undefined;
  readonly icmptype: Text | undefined;
  readonly icmp6type: Text | undefined;
  /** Comma-separated networks, addresses, aliases or interface keys. */
  readonly source_net: Text | undefined;
  readonly source_not: Text | undefined;
  readonly source_port: Text | undefined;
  readonly destination_net: Text | undefined;
  readonly destination_not: Text | undefined;
  readonly destination_port: Text | undefined;
  readonly gateway: Text | undefined;
  readonly sched: Text | undefined;
  readonly tag: Text | undefined;
  readonly tagged: Text | undefined;
  readonly tos: Text | undefined;
  readonly prio: Text | undefined;
  readonly tcpflags1: Text | undefined;
  readonly tcpflags2: Text | undefined;
  readonly tcpflags_any: Text | undefined;
  readonly allowopts: Text | undefined;
  readonly statetype: Text | undefined;
  readonly log: Text | undefined;
  readonly description: Text | undefined;
}

/** `<nat><rule>`: a port forward (rdr). */
export interface PortForward extends Item {
  readonly position: number;
  readonly uuid: string | undefined;
  readonly disabled: Text | undefined;
  /** No redirection: an exception to later port forwards. */
  readonly nordr: Text | undefined;
  readonly interface: Text | undefined;
  readonly ipprotocol: Text | undefined;
  readonly protocol: Text | undefined;
  readonly source: Endpoint | undefined;
  readonly destination: Endpoint | undefined;
  /** The internal address (or alias) traffic is redirected to. */
  readonly target: Text | undefined;
  readonly localPort: Text | undefined;
  readonly descr: Text | undefined;
  /** `pass` (rdr pass), the id of the filter rule it created (`nat_…`), or empty. */
  readonly associatedRuleId: Text | undefined;
  /** OPNsense destination NAT: `pass`, `rule` (register a filter rule) or empty (manual). */
  readonly pass: Text | undefined;
  readonly natreflection: Text | undefined;
  readonly sequence: Text | undefined;
}

/** `<nat><outbound>`. */
export interface OutboundNat extends Item {
  /** automatic | hybrid | advanced | disabled. */
  readonly mode: Text | undefined;
  readonly rules: readonly OutboundNatRule[];
}

export interface OutboundNatRule extends Item {
  readonly position: number;
  readonly disabled: Text | undefined;
  readonly nonat: Text | undefined;
  readonly interface: Text | undefined;
  readonly ipprotocol: Text | undefined;
  readonly protocol: Text | undefined;
  readonly source: Endpoint | undefined;
  readonly sourceport: Text | undefined;
  readonly destination: Endpoint | undefined;
  readonly dstport: Text | undefined;
  readonly target: Text | undefined;
  readonly targetip: Text | undefined;
  readonly descr: Text | undefined;
}

/** `<nat><onetoone>`: 1:1 NAT (binat). */
export interface OneToOneNat extends Item {
  readonly disabled: Text | undefined;
  readonly interface: Text | undefined;
  readonly external: Text | undefined;
  readonly source: Endpoint | undefined;
  readonly destination: Endpoint | undefined;
  readonly descr: Text | undefined;
}

/** `<gateways><gateway_item>`. */
export interface Gateway extends Item {
  readonly name: Text | undefined;
  readonly interface: Text | undefined;
  readonly gateway: Text | undefined;
  readonly ipprotocol: Text | undefined;
  readonly descr: Text | undefined;
}

/** `<staticroutes><route>`. */
export interface StaticRoute extends Item {
  readonly network: Text | undefined;
  readonly gateway: Text | undefined;
  readonly disabled: Text | undefined;
  readonly descr: Text | undefined;
}

/** `<schedules><schedule>`; its time ranges stay in `extra`. */
export interface Schedule extends Item {
  readonly name: Text | undefined;
  readonly descr: Text | undefined;
}
