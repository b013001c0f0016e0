import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WindowsFirewallSyntaxError, parseRegistryPolicies, parseRuleString, parseWindowsFirewallText } from '../src';
import { assertSyntaxError } from './helpers';

const POLICY = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall';

/** Runs `parse` and returns how long it took, in milliseconds. */
function timed(parse: () => unknown): number {
  const start = process.hrtime.bigint();
  parse();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

describe('hostile input', () => {
  it('reads a rule string of 100 000 fields in linear time', () => {
    const text = `v2.31|Action=Allow|Dir=In|${'Profile=Domain|'.repeat(100_000)}`;
    let profiles = 0;
    const ms = timed(() => (profiles = parseRuleString(text, { line: 1 }, []).profile.length));
    assert.equal(profiles, 100_000);
    assert.ok(ms < 5000, `${ms} ms`);
  });

  it('reads a rule string of 100 000 port fields in linear time', () => {
    const ports = Array.from({ length: 100_000 }, (_, i) => `LPort=${i % 65536}|`).join('');
    const text = `v2.31|Action=Allow|Active=TRUE|Dir=In|Protocol=6|${ports}`;
    let count = 0;
    const ms = timed(() => (count = parseRuleString(text, { line: 1 }, []).lport.length));
    assert.equal(count, 100_000);
    assert.ok(ms < 5000, `${ms} ms`);
  });

  it('reads a reg export of 50 000 rules and a value of a million backslashes', () => {
    const rules = Array.from(
      { length: 50_000 },
      (_, i) => `"{R${i}}"="v2.31|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=${i % 65536}|Name=r${i}|"`,
    );
    const file = [
      'Windows Registry Editor Version 5.00',
      `[${POLICY}\\FirewallRules]`,
      ...rules,
      `[${POLICY}\\Other]`,
      `"slashes"="${'\\\\'.repeat(1_000_000)}"`,
    ].join('\r\n');
    let count = 0;
    const ms = timed(() => (count = parseRegistryPolicies(file).policies[0].rules.length));
    assert.equal(count, 50_000);
    assert.ok(ms < 10_000, `${ms} ms`);
  });

  it('keeps rule ids and keys named __proto__, constructor or hasOwnProperty as ordinary names', () => {
    const file = [
      'Windows Registry Editor Version 5.00',
      `[${POLICY}\\FirewallRules]`,
      '"__proto__"="v2.31|Action=Allow|Dir=In|Name=a|"',
      '"constructor"="v2.31|Action=Allow|Dir=In|Name=b|"',
      `[${POLICY}\\__proto__]`,
      '"hasOwnProperty"=dword:1',
      `[${POLICY}\\DomainProfile]`,
      '"__proto__"=dword:1',
      '"EnableFirewall"=dword:1',
    ].join('\n');
    const { policies } = parseRegistryPolicies(file);
    assert.deepEqual(
      policies[0].rules.map((r) => r.id),
      ['__proto__', 'constructor'],
    );
    assert.deepEqual(policies[0].other, [{ name: '__proto__', location: { line: 5, column: 1 } }]);
    assert.equal(policies[0].profiles[0].enableFirewall?.value, true);
    assert.equal(Object.getPrototypeOf(policies[0].rules[0]), Object.prototype);
  });

  it('refuses control characters and lone surrogates only where the grammar refuses anything', () => {
    const { rule } = { rule: parseRuleString('v2.31|Action=Allow|Dir=In|Name=a\u0000b\uD800|', { line: 1 }, []) };
    assert.equal(rule.name?.value, 'a\u0000b\uD800');
    assertSyntaxError(
      () => parseRuleString('v2.31|Action=Allow\u0000|', { line: 1 }, []),
      1,
      7,
      /expected Allow, Block or ByPass after Action=, not "Allow."/,
    );
  });

  it('reads a key path of 10 000 parts and a hex value continued over 10 000 lines', () => {
    const deep = `${POLICY}\\${Array.from({ length: 10_000 }, (_, i) => `k${i}`).join('\\')}`;
    const hex = ['"Bin"=hex:00,\\', ...Array.from({ length: 10_000 }, () => '  00,00,\\'), '  00'];
    const parsed = parseWindowsFirewallText(
      ['Windows Registry Editor Version 5.00', `[${deep}]`, ...hex, `[${POLICY}]`, '"After"=dword:2'].join('\n'),
    );
    assert.equal(parsed.policies[0].other.length, 1);
    assert.deepEqual(parsed.policies[0].global, [{ name: 'After', value: 2, location: { line: 10_006, column: 1 } }]);
  });

  it('fails with a located error, not a crash, on binary garbage', () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1');
    assert.throws(
      () => parseWindowsFirewallText(garbage),
      (error: unknown) => error instanceof WindowsFirewallSyntaxError && error.line >= 1,
    );
  });
});
