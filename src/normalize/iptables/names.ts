/** The symbolic names iptables accepts for protocols, ICMP types and ports. */

/** Protocol names as iptables resolves them (its built-in table, then /etc/protocols). */
export const PROTOCOLS: Readonly<Record<string, number>> = {
  ip: 0, hopopt: 0, icmp: 1, igmp: 2, ipip: 4, ipencap: 4, tcp: 6, egp: 8, pup: 12, udp: 17,
  ipv6: 41, 'ipv6-route': 43, 'ipv6-frag': 44, rsvp: 46, gre: 47, esp: 50, ah: 51,
  icmpv6: 58, 'ipv6-icmp': 58, 'ipv6-nonxt': 59, 'ipv6-opts': 60, eigrp: 88, ospf: 89, ospfigp: 89,
  etherip: 97, pim: 103, ipcomp: 108, vrrp: 112, l2tp: 115, isis: 124, sctp: 132,
  mh: 135, 'ipv6-mh': 135, udplite: 136, mpls: 137, dccp: 33,
};

/** ICMP type names: [type, code] or [type] for every code. */
export const ICMP_TYPES: Readonly<Record<string, readonly number[]>> = {
  'echo-reply': [0], pong: [0],
  'destination-unreachable': [3],
  'network-unreachable': [3, 0], 'host-unreachable': [3, 1], 'protocol-unreachable': [3, 2],
  'port-unreachable': [3, 3], 'fragmentation-needed': [3, 4], 'source-route-failed': [3, 5],
  'network-unknown': [3, 6], 'host-unknown': [3, 7], 'network-prohibited': [3, 9],
  'host-prohibited': [3, 10], 'TOS-network-unreachable': [3, 11], 'TOS-host-unreachable': [3, 12],
  'communication-prohibited': [3, 13], 'host-precedence-violation': [3, 14], 'precedence-cutoff': [3, 15],
  'source-quench': [4],
  redirect: [5], 'network-redirect': [5, 0], 'host-redirect': [5, 1],
  'TOS-network-redirect': [5, 2], 'TOS-host-redirect': [5, 3],
  'echo-request': [8], ping: [8],
  'router-advertisement': [9], 'router-solicitation': [10],
  'time-exceeded': [11], 'ttl-exceeded': [11], 'ttl-zero-during-transit': [11, 0], 'ttl-zero-during-reassembly': [11, 1],
  'parameter-problem': [12], 'ip-header-bad': [12, 0], 'required-option-missing': [12, 1],
  'timestamp-request': [13], 'timestamp-reply': [14],
  'address-mask-request': [17], 'address-mask-reply': [18],
};

export const ICMPV6_TYPES: Readonly<Record<string, readonly number[]>> = {
  'destination-unreachable': [1], 'no-route': [1, 0], 'communication-prohibited': [1, 1],
  'beyond-scope': [1, 2], 'address-unreachable': [1, 3], 'port-unreachable': [1, 4],
  'failed-policy': [1, 5], 'reject-route': [1, 6],
  'packet-too-big': [2],
  'time-exceeded': [3], 'ttl-exceeded': [3], 'ttl-zero-during-transit': [3, 0], 'ttl-zero-during-reassembly': [3, 1],
  'parameter-problem': [4], 'bad-header': [4, 0], 'unknown-header-type': [4, 1], 'unknown-option': [4, 2],
  'echo-request': [128], ping: [128], 'echo-reply': [129], pong: [129],
  'mld-listener-query': [130], 'mld-listener-report': [131], 'mld-listener-done': [132], 'mld-listener-reduction': [132],
  'router-solicitation': [133], 'router-advertisement': [134],
  'neighbour-solicitation': [135], 'neighbor-solicitation': [135],
  'neighbour-advertisement': [136], 'neighbor-advertisement': [136],
  redirect: [137],
};

/** Service names iptables resolves through /etc/services (iptables-save always writes numbers). */
export const SERVICES: Readonly<Record<string, number>> = {
  ftp: 21, 'ftp-data': 20, ssh: 22, telnet: 23, smtp: 25, domain: 53, bootps: 67, bootpc: 68,
  tftp: 69, http: 80, www: 80, kerberos: 88, pop3: 110, sunrpc: 111, ntp: 123, 'netbios-ns': 137,
  'netbios-dgm': 138, 'netbios-ssn': 139, imap: 143, imap2: 143, snmp: 161, 'snmp-trap': 162, ldap: 389,
  https: 443, 'microsoft-ds': 445, isakmp: 500, syslog: 514, submission: 587, ldaps: 636,
  imaps: 993, pop3s: 995, 'ms-sql-s': 1433, openvpn: 1194, mysql: 3306, 'ms-wbt-server': 3389,
  sip: 5060, 'sip-tls': 5061, postgresql: 5432, 'http-alt': 8080, webcache: 8080,
};
