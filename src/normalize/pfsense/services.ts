/**
 * Port numbers and service names as rules and port aliases write them: `443`, `https`,
 * `1024-65535`, `5060:5061`. Names are the well-known ones both firewalls accept
 * (getservbyname on pfSense, PortField's list on OPNsense).
 */
import { Ranges } from '../../packetset';

const SERVICES: ReadonlyMap<string, number> = new Map(
  Object.entries({
    ftp: 21,
    'ftp-data': 20,
    ssh: 22,
    telnet: 23,
    smtp: 25,
    domain: 53,
    dns: 53,
    bootps: 67,
    bootpc: 68,
    tftp: 69,
    http: 80,
    www: 80,
    kerberos: 88,
    pop3: 110,
    sunrpc: 111,
    ntp: 123,
    'netbios-ns': 137,
    'netbios-dgm': 138,
    'netbios-ssn': 139,
    imap: 143,
    snmp: 161,
    snmptrap: 162,
    bgp: 179,
    ldap: 389,
    https: 443,
    'microsoft-ds': 445,
    isakmp: 500,
    syslog: 514,
    submission: 587,
    ldaps: 636,
    imaps: 993,
    pop3s: 995,
    'ms-sql-s': 1433,
    openvpn: 1194,
    radius: 1812,
    'radius-acct': 1813,
    sip: 5060,
    'sip-tls': 5061,
    mysql: 3306,
    rdp: 3389,
    'ms-wbt-server': 3389,
    'ipsec-nat-t': 4500,
    postgresql: 5432,
  }),
);

const MAX_PORT = 65535;

/** One port: a number 0-65535 or a service name; undefined otherwise. */
export function portNumber(text: string): number | undefined {
  if (/^\d+$/.test(text)) {
    const port = Number(text);
    return port <= MAX_PORT ? port : undefined;
  }
  return SERVICES.get(text.toLowerCase());
}

/** `a`, `a-b` or `a:b` (ports or service names); undefined when it is none of these. */
export function portRange(text: string): Ranges | undefined {
  const parts = text.split(/[-:]/);
  if (parts.length > 2) return undefined;
  const low = portNumber(parts[0].trim());
  const high = parts.length === 2 ? portNumber(parts[1].trim()) : low;
  if (low === undefined || high === undefined) return undefined;
  return Ranges.of(BigInt(Math.min(low, high)), BigInt(Math.max(low, high)));
}
