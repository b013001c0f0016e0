import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ProfileSettings, parseWindowsFirewallText } from '../src';
import { readRealText } from './helpers';

/*
 * fixtures/real/windows/reg_policy_store_gsecurity.reg (GorstakZD/GSecurity, Firewall.reg):
 * a reg export of the policy store, counted by hand with `iconv -f UTF-16LE | cat -n`.
 */
describe('real export: reg_policy_store_gsecurity.reg', () => {
  const parsed = parseWindowsFirewallText(readRealText('reg_policy_store_gsecurity.reg'));
  const [policy] = parsed.policies;
  const profile = (name: string): ProfileSettings => {
    const found = policy.profiles.find((p) => p.profile === name);
    assert.ok(found, `no ${name}`);
    return found;
  };

  it('is one policy store with its two global values, no warnings', () => {
    assert.equal(parsed.kind, 'registry-export');
    assert.equal(parsed.registry?.header, 'Windows Registry Editor Version 5.00');
    assert.equal(parsed.registry?.keys.length, 16, 'the 17 [key] lines name 16 keys: DomainProfile comes twice');
    assert.equal(parsed.policies.length, 1);
    assert.equal(policy.source, 'policy-store');
    assert.equal(policy.name, 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall');
    assert.deepEqual(policy.location, { line: 3, column: 1 });
    assert.deepEqual(policy.global, [
      { name: 'PolicyVersion', value: 0x21f, location: { line: 4, column: 1 } },
      { name: 'IPSecExempt', value: 0, location: { line: 5, column: 1 } },
    ]);
    assert.deepEqual(parsed.warnings, []);
    assert.deepEqual(policy.other, []);
  });

  it('has the four profile keys; DomainProfile merges its two sections (lines 7 and 34)', () => {
    assert.deepEqual(
      policy.profiles.map((p) => [p.profile, p.location.line, p.settings.length, p.sections.length]),
      [
        ['DomainProfile', 7, 7, 5],
        ['PrivateProfile', 16, 7, 0],
        ['PublicProfile', 25, 7, 0],
        ['StandardProfile', 58, 2, 5],
      ],
    );
    const domain = profile('DomainProfile');
    assert.deepEqual(domain.enableFirewall, { value: true, location: { line: 35, column: 1 } }, 'line 35 sets it again, to the same value');
    assert.deepEqual(domain.defaultInboundAction, { value: 'Block', location: { line: 14, column: 1 } });
    assert.deepEqual(domain.defaultOutboundAction, { value: 'Allow', location: { line: 13, column: 1 } });
    assert.deepEqual(domain.allowLocalPolicyMerge, { value: false, location: { line: 10, column: 1 } });
    assert.deepEqual(domain.allowLocalIPsecPolicyMerge, { value: false, location: { line: 11, column: 1 } });
    assert.equal(domain.doNotAllowExceptions, undefined);
    assert.deepEqual(
      domain.sections.map((s) => [s.name, s.location.line, s.settings.map((v) => `${v.name}=${v.value}`)]),
      [
        ['RemoteAdminSettings', 38, ['Enabled=0']],
        ['Services', 41, []],
        ['Services\\FileAndPrint', 43, ['Enabled=0']],
        ['Services\\RemoteDesktop', 46, ['Enabled=0']],
        ['Services\\UPnPFramework', 49, ['Enabled=0']],
      ],
    );
    for (const name of ['PrivateProfile', 'PublicProfile']) {
      assert.equal(profile(name).enableFirewall?.value, true);
      assert.equal(profile(name).defaultInboundAction?.value, 'Block');
      assert.equal(profile(name).defaultOutboundAction?.value, 'Allow');
      assert.equal(profile(name).allowLocalPolicyMerge?.value, false);
    }
    const standard = profile('StandardProfile');
    assert.deepEqual(standard.enableFirewall, { value: true, location: { line: 59, column: 1 } });
    assert.equal(standard.defaultInboundAction, undefined);
  });

  it('has four rules, each with its id, line and fields', () => {
    assert.deepEqual(
      policy.rules.map((r) => [r.id, r.location.line, r.location.column, r.version, r.fields.length]),
      [
        ['{f016bbe0-a716-428b-822e-5E544B6A3105}', 53, 43, '2.29', 6],
        ['{f016bbe0-a716-428b-822e-5E544B6A3173}', 54, 43, '2.29', 6],
        ['{1E78ACD0-2EB2-4C5B-BE1E-C3AF5786D813}', 55, 43, '2.31', 9],
        ['{7647502E-A6B0-4DCD-BD65-6B0E48EEFDF7}', 56, 43, '2.31', 9],
      ],
    );
    const [explorer, kernel, tcp, udp] = policy.rules;
    assert.equal(explorer.text, 'v2.29|Action=Block|Active=TRUE|Dir=Out|App=C:\\Windows\\explorer.exe|Name=explorer|EmbedCtxt=GSecurity|');
    assert.deepEqual(
      [explorer.action?.value, explorer.active?.value, explorer.dir?.value, explorer.protocol, explorer.profile],
      ['Block', true, 'Out', undefined, []],
    );
    assert.deepEqual(explorer.app, { key: 'App', location: { line: 53, column: 82 }, value: 'C:\\Windows\\explorer.exe' });
    assert.deepEqual(explorer.name, { key: 'Name', location: { line: 53, column: 112 }, value: 'explorer' });
    assert.equal(kernel.app?.value, 'C:\\Windows\\system32\\ntoskrnl.exe');
    assert.equal(kernel.name?.value, 'Kernel');
    for (const [rule, protocol, name] of [
      [tcp, 6, 'TCP'],
      [udp, 17, 'UDP'],
    ] as const) {
      assert.deepEqual(
        [rule.action?.value, rule.dir?.value, rule.protocol?.value, rule.name?.value, rule.embedCtxt?.value],
        ['Block', 'In', protocol, name, 'GSecurity'],
      );
      assert.deepEqual(
        rule.lport.map((p) => (p.kind === 'range' ? [p.key, p.first, p.last] : [])),
        [
          ['LPort2_10', 1, 66],
          ['LPort2_10', 69, 55554],
          ['LPort2_10', 55556, 65535],
        ],
      );
    }
    assert.deepEqual(
      tcp.lport.map((p) => p.location.column),
      [92, 107, 126],
    );
  });
});
