import { type Location } from '../model/errors';

/** A deployment file, with its paths made absolute (see schemas/deployment.schema.json). */
export interface Deployment {
  /** The deployment file (absolute). */
  file: string;
  /** A built-in matrix id, or the absolute path of a matrix file. */
  matrix: string;
  /** Role id -> addresses as written: IPv4/IPv6 addresses, CIDR networks, ranges a-b. */
  roles: Map<string, string[]>;
  firewalls: Firewall[];
  /** Ids of requirements this site does not need (erratum E5). */
  optional: string[];
  /** Load balancer port translations (erratum E6). */
  translations: Translation[];
  /** How severe each kind of finding is at this site, and the exceptions. */
  severities: SeverityPolicy;
  /** Where the node at a JSON pointer (`/firewalls/1/config`) is written in the deployment file. */
  locate(pointer: string, part?: 'key' | 'value'): Location;
}

interface FirewallCommon {
  name: string;
  /** The configuration files (absolute): one, or e.g. an iptables-save and an ip6tables-save dump. */
  configs: string[];
  /** The configuration's format (a `--type` id); detected from the content when absent. */
  type?: string;
  /** Interface name -> the networks behind it, as written. */
  interfaces?: Map<string, string[]>;
  /** Options only the configuration's format reads (iptables: `ipsets`), by name; file paths absolute. */
  options: Record<string, unknown>;
  /** The firewall's JSON pointer in the deployment file (`/firewalls/0`), for `locate`. */
  pointer: string;
}

/** Protects one host: a required flow is in scope when the host is its source or destination. */
export interface HostFirewall extends FirewallCommon {
  placement: 'host';
  /** The host's addresses. */
  host: string[];
}

/**
 * Forwards between interfaces: a required flow is in scope when its source and destination lie
 * behind different interfaces. `interfaces` is absent only for pfsense and opnsense, whose
 * configurations name them.
 */
export interface NetworkFirewall extends FirewallCommon {
  placement: 'network';
}

export type Firewall = HostFirewall | NetworkFirewall;

/** A severity, or `off`: the finding does not count (it is listed with the suppressed ones). */
export type SeverityLevel = 'high' | 'medium' | 'low' | 'off';

export interface SeverityPolicy {
  /** A level per finding kind (ids as the report spells them). */
  kinds: Readonly<Record<string, SeverityLevel>>;
  /** Findings matching all given fields take the level; later overrides win. */
  overrides: SeverityOverride[];
}

export interface SeverityOverride {
  requirement?: string;
  firewall?: string;
  kind?: string;
  /** The rule's text (whitespace need not match). */
  rule?: string;
  fingerprint?: string;
  severity: SeverityLevel;
  /** Where the override is written. */
  location: Location;
}

/** Traffic to the VIP role on port `from` reaches the pool members on port `to`. */
export interface Translation {
  vip: string;
  from: number;
  to: number;
  /** The members' role; absent: the VIP role's id without `-vip`. */
  members?: string;
}

/** The role of the pool members a translation forwards to. */
export function translationMembers(t: Translation): string {
  return t.members ?? t.vip.replace(/-vip$/, '');
}
