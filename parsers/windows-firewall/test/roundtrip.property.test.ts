import assert from 'node:assert/strict';
import { isIPv6 } from 'node:net';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type FirewallRule, type ParseWarning, WindowsFirewallSyntaxError, parseRegistryPolicies, parseRuleString } from '../src';
import { ipv6Value } from '../src/addresses';

/*
 * Random rules are rendered as Windows writes rule strings (fields in any order, Protocol= before
 * the port and ICMP fields that need it), parsed, and compared field by field with what was
 * rendered; then rendered into a reg export (backslashes and quotes doubled) and located again.
 */

type Field = [key: string, value: string];

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
const ruleFields: fc.Arbitrary<Field[]> = fc.tuple(protocolFields, otherFields, fc.nat()).map(([dependent, others, seed]) => {
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

const version = fc.tuple(fc.constant(2), fc.integer({ min: 10, max: 40 })).map(([major, minor]) => `${major}.${minor}`);

const render = (v: string, fields: Field[]): string => `v${v}|${fields.map(([k, value]) => `${k}=${value}|`).join('')}`;

/** What the typed rule says about each field, rendered back as key=value. */
function typedFields(rule: FirewallRule): string[] {
  const port = (p: FirewallRule['lport'][number]): string =>
    `${p.key}=${p.kind === 'keyword' ? p.keyword : p.first === p.last && !p.key.includes('2_10') ? p.first : `${p.first}-${p.last}`}`;
  const address = (a: FirewallRule['la'][number]): string =>
    `${a.key}=${a.kind === 'keyword' ? a.keyword : a.kind === 'subnet' ? `${a.address}/${a.prefixLength}` : a.first === a.last ? a.first : `${a.first}-${a.last}`}`;
  return [
    ...(rule.protocol ? [`Protocol=${rule.protocol.value}`] : []),
    ...[...rule.lport, ...rule.rport].map(port),
    ...[...rule.icmp4, ...rule.icmp6].map((i) => `${i.key}=${i.type}:${i.code ?? '*'}`),
    ...[...rule.la, ...rule.ra].map(address),
    ...rule.profile.map((p) => `Profile=${p.value}`),
  ].sort();
}

function expectedTypedFields(fields: Field[]): string[] {
  const typed = new Set([
    'Protocol',
    'LPort',
    'LPort2_10',
    'LPort2_20',
    'LPort2_24',
    'RPort',
    'RPort2_10',
    'ICMP4',
    'ICMP6',
    'LA4',
    'LA6',
    'RA4',
    'RA6',
    'RA42',
    'Profile',
  ]);
  return fields
    .filter(([k]) => typed.has(k))
    .map(([k, v]) => `${k}=${v}`)
    .sort();
}

describe('rule strings round-trip', () => {
  it('parses every generated rule string back into the fields it was rendered from', () => {
    fc.assert(
      fc.property(version, ruleFields, (v, fields) => {
        const warnings: ParseWarning[] = [];
        const text = render(v, fields);
        const rule = parseRuleString(text, { line: 1 }, warnings);
        assert.equal(rule.version, v);
        assert.equal(rule.text, text);
        assert.deepEqual(
          rule.fields.map((f) => [f.key, f.value]),
          fields,
        );
        let offset = text.indexOf('|') + 1;
        for (const field of rule.fields) {
          assert.equal(field.location.column, offset + 1);
          offset += field.key.length + field.value.length + 2;
        }
        assert.deepEqual(typedFields(rule), expectedTypedFields(fields));
        const unknown = fields.filter(([k]) => ['Future', 'X2_40', '__proto__'].includes(k));
        assert.deepEqual(
          rule.unknown.map((f) => [f.key, f.value]),
          unknown,
        );
        assert.equal(warnings.length, unknown.length);
        const action = fields.find(([k]) => k === 'Action')?.[1];
        assert.equal(rule.action?.value.toLowerCase(), action?.toLowerCase());
        assert.equal(rule.name?.value, fields.find(([k]) => k === 'Name')?.[1]);
        assert.equal(rule.app?.value, fields.find(([k]) => k === 'App')?.[1]);
      }),
      { numRuns: 400 },
    );
  });

  it('locates every field of a rule stored in a reg export at its column in the file, through the escapes', () => {
    const escape = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
    fc.assert(
      fc.property(
        version,
        ruleFields,
        fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/[\r\n]/.test(s)),
        (v, fields, id) => {
          const text = render(v, fields);
          const valueLine = `"${escape(id)}"="${escape(text)}"`;
          const file = [
            'Windows Registry Editor Version 5.00',
            '',
            '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\FirewallRules]',
            valueLine,
            '',
          ].join('\r\n');
          const { policies } = parseRegistryPolicies(file);
          const [rule] = policies[0].rules;
          assert.equal(rule.id, id);
          assert.equal(rule.text, text);
          for (const field of rule.fields) {
            assert.equal(field.location.line, 4);
            assert.ok(
              valueLine.slice((field.location.column ?? 0) - 1).startsWith(escape(`${field.key}=`)),
              `${field.key} at column ${field.location.column}`,
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('mutated rule strings and reg exports', () => {
  const mutate = fc.tuple(
    fc.nat(),
    fc.constantFrom('delete', 'insert', 'truncate', 'duplicate'),
    fc.constantFrom('|', '=', '-', '/', ':', '\\', '"', 'v', '9', ' ', '\u0000', '\uD800'),
  );
  const apply = (text: string, [position, kind, char]: [number, string, string]): string => {
    const at = text.length === 0 ? 0 : position % text.length;
    if (kind === 'delete') return text.slice(0, at) + text.slice(at + 1);
    if (kind === 'insert') return text.slice(0, at) + char + text.slice(at);
    if (kind === 'truncate') return text.slice(0, at);
    return text.slice(0, at) + text.slice(at - 5 < 0 ? 0 : at - 5, at) + text.slice(at);
  };

  it('either parse or fail with a located syntax error, never anything else', () => {
    fc.assert(
      fc.property(version, ruleFields, fc.array(mutate, { minLength: 1, maxLength: 3 }), (v, fields, mutations) => {
        const text = mutations.reduce(apply, render(v, fields));
        try {
          parseRuleString(text, { line: 1 }, []);
        } catch (error) {
          assert.ok(error instanceof WindowsFirewallSyntaxError, String(error));
          assert.equal(error.line, 1);
          assert.ok(
            error.column !== undefined && error.column >= 1 && error.column <= text.length + 1,
            `column ${error.column} in ${text.length}`,
          );
        }
      }),
      { numRuns: 600 },
    );
  });

  it('in a reg export too', () => {
    fc.assert(
      fc.property(version, ruleFields, fc.array(mutate, { minLength: 1, maxLength: 3 }), (v, fields, mutations) => {
        const file = [
          'Windows Registry Editor Version 5.00',
          '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\DomainProfile]',
          '"EnableFirewall"=dword:00000001',
          '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\FirewallRules]',
          `"{A}"="${render(v, fields).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`,
        ].join('\r\n');
        const mutated = mutations.reduce(apply, file);
        try {
          parseRegistryPolicies(mutated);
        } catch (error) {
          assert.ok(error instanceof WindowsFirewallSyntaxError, String(error));
          assert.ok(error.line >= 1 && error.line <= mutated.split('\n').length + 1);
        }
      }),
      { numRuns: 600 },
    );
  });
});

describe('IPv6 address text', () => {
  it('accepts exactly what Node accepts as IPv6 (zones aside)', () => {
    const alphabet = fc.constantFrom('0', '1', 'a', 'F', 'ffff', ':', '::', '.', '192', '.0.2.1');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 12 }), (parts) => {
        const candidate = parts.join('');
        assert.equal(ipv6Value(candidate) !== undefined, isIPv6(candidate), candidate);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads compressed forms as the address they stand for', () => {
    assert.equal(ipv6Value('2001:db8::1'), 0x20010db8000000000000000000000001n);
    assert.equal(ipv6Value('::'), 0n);
    assert.equal(ipv6Value('::ffff:192.0.2.1'), 0xffffc0000201n);
    assert.equal(ipv6Value('1:2:3:4:5:6:7::'), 0x00010002000300040005000600070000n);
    assert.equal(ipv6Value('1:2:3:4:5:6:7:8:9'), undefined);
    assert.equal(ipv6Value('1.2.3.4::'), undefined);
  });
});
