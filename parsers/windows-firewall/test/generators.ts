/** fast-check arbitraries of rule fields as Windows writes them, for the property tests. */
import fc from 'fast-check';

export type Field = [key: string, value: string];

const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((parts) => parts.join('.'));
const word = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
const ipv6 = fc.array(word, { minLength: 8, maxLength: 8 }).map((words) => words.join(':'));
const port = fc.integer({ min: 0, max: 65535 });
const portRange = fc.tuple(port, port).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`);
/** Free text as rule strings hold it: anything but | (and not empty). */
const text = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !s.includes('|') && !/[\r\n]/.test(s));

const v4Address = fc.oneof(
  ipv4,
  fc.tuple(ipv4, fc.integer({ min: 0, max: 32 })).map(([a, len]) => `${a}/${len}`),
  fc.tuple(ipv4, ipv4).map(([a, b]) => (a === b ? a : [a, b].sort((x, y) => ipv4Number(x) - ipv4Number(y)).join('-'))),
);
const v6Address = fc.oneof(
  ipv6,
  fc.tuple(ipv6, fc.integer({ min: 0, max: 128 })).map(([a, len]) => `${a}/${len}`),
);

function ipv4Number(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

const portFields = fc.array(
  fc.oneof(
    port.map((p): Field => ['LPort', String(p)]),
    fc.constantFrom<Field>(
      ['LPort', 'RPC'],
      ['LPort', 'RPC-EPMap'],
      ['LPort', 'Teredo'],
      ['LPort2_10', 'IPHTTPSIn'],
      ['LPort2_20', 'Ply2Disc'],
      ['LPort2_24', 'mDNS'],
    ),
    portRange.map((r): Field => ['LPort2_10', r]),
    port.map((p): Field => ['RPort', String(p)]),
    portRange.map((r): Field => ['RPort2_10', r]),
    fc.constant<Field>(['RPort2_10', 'IPTLSOut']),
  ),
  { maxLength: 5 },
);
const icmpField = (key: string): fc.Arbitrary<Field> =>
  fc.tuple(octet, fc.oneof(octet.map(String), fc.constant('*'))).map(([type, code]): Field => [key, `${type}:${code}`]);

/** Protocol and the fields that depend on it, Protocol first. */
const protocolFields: fc.Arbitrary<Field[]> = fc.oneof(
  fc.constant<Field[]>([]),
  fc.tuple(fc.constantFrom('6', '17'), portFields).map(([p, ports]): Field[] => [['Protocol', p], ...ports]),
  fc.array(icmpField('ICMP4'), { maxLength: 3 }).map((icmp): Field[] => [['Protocol', '1'], ...icmp]),
  fc.array(icmpField('ICMP6'), { maxLength: 3 }).map((icmp): Field[] => [['Protocol', '58'], ...icmp]),
  fc.constantFrom<Field[]>([['Protocol', '47']], [['Protocol', '0']], [['Protocol', '255']]),
);

const once = <T>(key: string, values: fc.Arbitrary<T>): fc.Arbitrary<Field[]> =>
  fc.option(
    values.map((v): Field[] => [[key, String(v)]]),
    { nil: [] },
  );

const otherFields: fc.Arbitrary<Field[]> = fc
  .tuple(
    once('Action', fc.constantFrom('Allow', 'Block', 'ByPass', 'allow', 'BLOCK')),
    once('Active', fc.constantFrom('TRUE', 'FALSE', 'true')),
    once('Dir', fc.constantFrom('In', 'Out')),
    fc.array(
      fc.constantFrom('Domain', 'Private', 'Public').map((p): Field => ['Profile', p]),
      { maxLength: 3 },
    ),
    fc.array(
      v4Address.map((a): Field => ['LA4', a]),
      { maxLength: 2 },
    ),
    fc.array(
      fc.oneof(v4Address, fc.constantFrom('LocalSubnet', 'DNS', 'DHCP', 'WINS', 'DefaultGateway')).map((a): Field => ['RA4', a]),
      { maxLength: 3 },
    ),
    fc.array(
      v6Address.map((a): Field => ['LA6', a]),
      { maxLength: 2 },
    ),
    fc.array(
      fc.oneof(v6Address, fc.constant('LocalSubnet')).map((a): Field => ['RA6', a]),
      { maxLength: 2 },
    ),
    fc.array(
      fc.constantFrom('IntrAnet', 'IntErnet', 'RmtIntrAnet', 'Ply2Renders', 'CaptivePortal').map((k): Field => ['RA42', k]),
      { maxLength: 2 },
    ),
    once('App', text),
    once('Svc', text),
    once('Name', text),
    once('Desc', text),
    once('Edge', fc.constantFrom('TRUE', 'FALSE')),
    fc.array(fc.constantFrom<Field>(['TTK', 'Proximity'], ['TTK2_22', 'WFDPrint'], ['TTK2_27', 'UPnP'], ['TTK2_28', 'WFDCDPSvc']), {
      maxLength: 2,
    }),
    fc.array(
      fc.tuple(fc.constantFrom('Future', 'X2_40', '__proto__'), text).map(([k, v]): Field => [k, v]),
      { maxLength: 2 },
    ),
  )
  .map((groups) => groups.flat());

/** A rule's fields: the others shuffled, with Protocol and its dependants kept in order among them. */
export const ruleFields: fc.Arbitrary<Field[]> = fc.tuple(protocolFields, otherFields, fc.nat()).map(([dependent, others, seed]) => {
  const shuffled = [...others];
  let state = seed;
  for (let i = shuffled.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  const at = shuffled.length === 0 ? 0 : seed % (shuffled.length + 1);
  return [...shuffled.slice(0, at), ...dependent, ...shuffled.slice(at)];
});

export const version = fc.tuple(fc.constant(2), fc.integer({ min: 10, max: 40 })).map(([major, minor]) => `${major}.${minor}`);

export const render = (v: string, fields: Field[]): string => `v${v}|${fields.map(([k, value]) => `${k}=${value}|`).join('')}`;
