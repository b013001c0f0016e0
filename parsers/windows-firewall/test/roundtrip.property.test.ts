import assert from 'node:assert/strict';
import { isIPv6 } from 'node:net';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type Field, render, ruleFields, version } from './generators';
import {
  type FirewallRule,
  type ParseWarning,
  WindowsFirewallSyntaxError,
  parseGpoReport,
  parseRegistryPolicies,
  parseRuleString,
} from '../src';
import { ipv6Value } from '../src/addresses';

/*
 * Random rules are rendered as Windows writes rule strings (fields in any order, Protocol= before
 * the port and ICMP fields that need it), parsed, and compared field by field with what was
 * rendered; then rendered into a reg export (backslashes and quotes doubled) and located again.
 */

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

describe('GPO report rules and rule strings', () => {
  /** XML 1.0 characters (no C0 controls but tab, LF, CR; no lone surrogates), and no blanks at the ends: the report's text is trimmed. */
  const xmlSafe = (value: string): boolean =>
    value === value.trim() &&
    [...value].every((char) => {
      const code = char.codePointAt(0) ?? 0;
      return (
        (code >= 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) &&
        !(code >= 0xd800 && code <= 0xdfff) &&
        code !== 0xfffe &&
        code !== 0xffff
      );
    });
  const escapeXml = (value: string): string => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  /** The rule without where it was written: what both renderings must agree on. */
  const meaning = (rule: FirewallRule): unknown =>
    JSON.parse(
      JSON.stringify({ ...rule, location: undefined, text: undefined, dir: undefined }, (key, value: unknown) =>
        key === 'location' ? undefined : value,
      ),
    );

  it('read the same fields into the same rule', () => {
    fc.assert(
      fc.property(version, ruleFields, (v, fields) => {
        fc.pre(fields.every(([key, value]) => xmlSafe(value) && key !== '__proto__'));
        const dir = fields.find(([key]) => key === 'Dir')?.[1];
        const container = dir === 'Out' ? 'OutboundFirewallRules' : 'InboundFirewallRules';
        const xml = [
          '<GPO xmlns="http://www.microsoft.com/GroupPolicy/Settings" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><Computer><ExtensionData>',
          '<Extension xmlns:q1="http://www.microsoft.com/GroupPolicy/Settings/WindowsFirewall" xsi:type="q1:WindowsFirewallSettings">',
          `<q1:${container}><q1:Version>${v}</q1:Version>`,
          ...fields.map(([key, value]) => `<q1:${key}>${escapeXml(value)}</q1:${key}>`),
          `</q1:${container}></Extension></ExtensionData></Computer></GPO>`,
        ].join('\n');
        const fromXml = parseGpoReport(xml).policies[0].rules[0];
        const fromString = parseRuleString(render(v, fields), { line: 1 }, []);
        assert.deepEqual(meaning(fromXml), meaning(fromString));
        assert.equal(fromXml.dir?.value, dir ?? 'In');
        assert.equal(fromXml.text, fromString.text);
      }),
      { numRuns: 300 },
    );
  });
});
