/**
 * The site every generated rule set protects (documentation addresses), and the deployment files
 * that audit it: a Lync Director host firewall and a network firewall between three networks.
 */
export const SITE = {
  perimeter: { iface: 'eth0', net: '192.0.2.0/24', base: '192.0.2.' },
  servers: { iface: 'eth1', net: '198.51.100.0/24', base: '198.51.100.' },
  clients: { iface: 'eth2', net: '203.0.113.0/24', base: '203.0.113.' },
  director: '198.51.100.11',
  reverseProxy: '192.0.2.10',
  edge: '192.0.2.20',
  frontEnds: '198.51.100.21-198.51.100.23',
} as const;

/** Interface → networks routed to it, for the network placement. */
export type InterfaceMap = Readonly<Record<string, readonly string[]>>;

export const SITE_INTERFACES: InterfaceMap = {
  [SITE.perimeter.iface]: [SITE.perimeter.net],
  [SITE.servers.iface]: [SITE.servers.net],
  [SITE.clients.iface]: [SITE.clients.net],
};

/** Role → addresses, as a deployment file lists them. */
export type Roles = Readonly<Record<string, readonly string[]>>;

export const SITE_ROLES: Roles = {
  'reverse-proxy-internal': [SITE.reverseProxy],
  director: [SITE.director],
  'front-end': [SITE.frontEnds],
  'internal-clients': [SITE.clients.net],
  'edge-internal': [SITE.edge],
  any: [SITE.perimeter.net, SITE.servers.net, SITE.clients.net],
};

const list = (items: readonly string[]): string => `[${items.join(', ')}]`;

/**
 * A deployment of one firewall, `config` (relative to the deployment file): a host firewall on
 * `host` (the Director by default), or a network firewall between `interfaces`.
 */
export function deploymentYaml(
  config: string,
  placement: 'host' | 'network',
  {
    interfaces = SITE_INTERFACES,
    roles = SITE_ROLES,
    host = SITE.director,
  }: { interfaces?: InterfaceMap; roles?: Roles; host?: string } = {},
): string {
  const where =
    placement === 'host'
      ? `    placement: host\n    host: [${host}]\n`
      : `    placement: network\n    interfaces:\n${Object.entries(interfaces)
          .map(([name, nets]) => `      ${name}: ${list(nets)}\n`)
          .join('')}`;
  const roleLines = Object.entries(roles)
    .map(([role, addresses]) => `  ${role}: ${list(addresses)}\n`)
    .join('');
  return `matrix: lync2013-director-single\nroles:\n${roleLines}firewalls:\n  - name: fw\n    config: ${JSON.stringify(config)}\n    type: iptables\n${where}`;
}

/**
 * A deployment of one pfSense firewall (network placement: its configuration names its interfaces
 * and networks) or one Windows host (the Director, its Domain profile audited).
 */
export function xmlDeploymentYaml(config: string, kind: 'pfsense' | 'windows'): string {
  const roleLines = Object.entries(SITE_ROLES)
    .map(([role, addresses]) => `  ${role}: ${list(addresses)}\n`)
    .join('');
  const where =
    kind === 'pfsense'
      ? '    type: pfsense\n    placement: network\n'
      : `    type: windows-gpo\n    placement: host\n    host: [${SITE.director}]\n    profiles: [domain]\n    localSubnet: [${SITE.servers.net}]\n`;
  return `matrix: lync2013-director-single\nroles:\n${roleLines}firewalls:\n  - name: fw\n    config: ${JSON.stringify(config)}\n${where}`;
}
