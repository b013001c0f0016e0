import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ParseWarning, parseRegistryExport, parseRegistryPolicies, parseWindowsFirewallText } from '../src';
import { assertSyntaxError } from './helpers';

const HEADER = 'Windows Registry Editor Version 5.00';
const POLICY = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall';
const LOCAL = 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy';

/** A reg export of the given lines, with CRLF line ends as reg export writes them. */
const reg = (...lines: string[]): string => [HEADER, '', ...lines, ''].join('\r\n');

function parseExport(text: string): { keys: ReturnType<typeof parseRegistryExport>['keys']; warnings: ParseWarning[] } {
  const warnings: ParseWarning[] = [];
  return { keys: parseRegistryExport(text, warnings).keys, warnings };
}

describe('reg export files', () => {
  it('reads strings with \\\\ and \\" escapes, dwords, hex data continued with \\, and the default value @', () => {
    const { keys } = parseExport(
      reg(
        '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Test]',
        '"Path"="C:\\\\Program Files\\\\a \\"b\\""',
        '"Count"=dword:0000021f',
        '@="default"',
        '"Bin"=hex(7):41,00,\\',
        '  42,00,00,00',
        '"Last"=dword:1',
      ),
    );
    assert.equal(keys.length, 1);
    assert.deepEqual(
      keys[0].values.map((v) => [v.name, v.location.line, v.data]),
      [
        ['Path', 4, { type: 'string', value: 'C:\\Program Files\\a "b"', raw: 'C:\\\\Program Files\\\\a \\"b\\"', column: 9 }],
        ['Count', 5, { type: 'dword', value: 0x21f }],
        ['', 6, { type: 'string', value: 'default', raw: 'default', column: 4 }],
        ['Bin', 7, { type: 'hex', kind: 7, bytes: [0x41, 0, 0x42, 0, 0, 0], text: 'hex(7):41,00,42,00,00,00' }],
        ['Last', 9, { type: 'dword', value: 1 }],
      ],
    );
  });

  it('accepts REGEDIT4, comments, blank lines and a leading byte-order mark', () => {
    const warnings: ParseWarning[] = [];
    const parsed = parseRegistryExport('\uFEFFREGEDIT4\n; a comment\n\n[HKEY_CURRENT_USER\\X]\n"a"="b"\n', warnings);
    assert.equal(parsed.header, 'REGEDIT4');
    assert.deepEqual(
      parsed.keys.map((k) => [k.path, k.location.line]),
      [['HKEY_CURRENT_USER\\X', 4]],
    );
  });

  it('applies [-key] deletions and "name"=- removals in file order, merging repeated keys', () => {
    const { keys, warnings } = parseExport(
      reg(
        '[HKEY_LOCAL_MACHINE\\A]',
        '"x"="1"',
        '"y"="2"',
        '[HKEY_LOCAL_MACHINE\\A\\B]',
        '"z"="3"',
        '[HKEY_LOCAL_MACHINE\\C]',
        '"c"="4"',
        '[-HKEY_LOCAL_MACHINE\\A]',
        '[hkey_local_machine\\a]',
        '"x"="5"',
        '[HKEY_LOCAL_MACHINE\\C]',
        '"c"=-',
        '"d"="6"',
        '"d"="7"',
      ),
    );
    assert.deepEqual(
      keys.map((k) => [
        k.path,
        k.location.line,
        k.values.map((v) => `${v.name}=${v.data.type === 'string' ? v.data.value : ''}@${v.location.line}`),
      ]),
      [
        ['HKEY_LOCAL_MACHINE\\C', 8, ['d=7@16']],
        ['hkey_local_machine\\a', 11, ['x=5@12']],
      ],
    );
    assert.deepEqual(warnings, [
      { location: { line: 16, column: 1 }, message: '"d" in HKEY_LOCAL_MACHINE\\C is set again; this replaces the value of line 15' },
    ]);
  });

  it('keeps __proto__, constructor and toString as ordinary value names', () => {
    const { keys } = parseExport(reg('[HKEY_LOCAL_MACHINE\\A]', '"__proto__"="p"', '"constructor"="c"', '"toString"="t"'));
    assert.deepEqual(
      keys[0].values.map((v) => v.name),
      ['__proto__', 'constructor', 'toString'],
    );
    assert.equal(({} as Record<string, unknown>).p, undefined);
  });

  it('refuses what regedit does not import, at its line and column', () => {
    assertSyntaxError(
      () => parseExport('[HKEY_LOCAL_MACHINE\\A]\n'),
      1,
      1,
      /header "Windows Registry Editor Version 5\.00" \(or "REGEDIT4"\)/,
    );
    assertSyntaxError(() => parseExport(''), 1, undefined, /the file is empty/);
    assertSyntaxError(() => parseExport(reg('"a"="b"')), 3, 1, /expected a \[key\] line before values/);
    assertSyntaxError(() => parseExport(reg('[HKEY_LOCAL_MACHINE\\A')), 3, 1, /expected \] closing the key path/);
    assertSyntaxError(() => parseExport(reg('[HKEY_LOCAL_MACHINE\\A] x')), 3, 23, /nothing after the \]/);
    assertSyntaxError(() => parseExport(reg('[HKLM\\A]')), 3, 2, /key path starting with HKEY_LOCAL_MACHINE/);
    assertSyntaxError(() => parseExport(reg('[HKEY_LOCAL_MACHINE\\\\A]')), 3, 1, /without empty parts/);
    assertSyntaxError(() => parseExport(reg('[HKEY_LOCAL_MACHINE\\A]', 'x="b"')), 4, 1, /expected a value line "name"=data/);
    assertSyntaxError(() => parseExport(reg('[HKEY_LOCAL_MACHINE\\A]', '"a" = "b"')), 4, 4, /expected = after the value name/);
    assertSyntaxError(
      () => parseExport(reg('[HKEY_LOCAL_MACHINE\\A]', '"a"="C:\\Windows"')),
      4,
      8,
      /expected \\\\ or \\" after a backslash/,
    );
    assertSyntaxError(
      () => parseExport(reg('[HKEY_LOCAL_MACHINE\\A]', '"a"="unterminated')),
      4,
      5,
      /expected " closing the quoted string on the same line/,
    );
    assertSyntaxError(() => parseExport(reg('[HKEY_LOCAL_MACHINE\\A]', '"a"="b" c')), 4, 8, /end of the line after the closing "/);
    assertSyntaxError(() => parseExport(reg('[HKEY_LOCAL_MACHINE\\A]', '"a"=dword:123456789')), 4, 5, /dword:xxxxxxxx/);
    assertSyntaxError(() => parseExport(reg('[HKEY_LOCAL_MACHINE\\A]', '"a"=hex:1,2')), 4, 5, /hex bytes written xx,xx/);
    assertSyntaxError(
      () => parseExport(reg('[-HKEY_LOCAL_MACHINE\\A]', '"a"="b"')),
      4,
      1,
      /a \[-key\] line deletes a key and takes no values/,
    );
  });
});

describe('firewall stores in a reg export', () => {
  it('reads the policy store: global values, profile settings, and FirewallRules rule strings located in the file', () => {
    const text = reg(
      `[${POLICY}]`,
      '"PolicyVersion"=dword:0000021f',
      `[${POLICY}\\DomainProfile]`,
      '"EnableFirewall"=dword:00000001',
      '"DefaultInboundAction"=dword:00000001',
      '"DefaultOutboundAction"=dword:00000000',
      '"AllowLocalPolicyMerge"=dword:00000000',
      '"DoNotAllowExceptions"=dword:00000001',
      '"DisabledInterfaces"="{6A0E3F3E-8E8D-4A1F-9A8C-0123456789AB},{7A0E3F3E-8E8D-4A1F-9A8C-0123456789AB}"',
      `[${POLICY}\\DomainProfile\\Logging]`,
      '"LogDroppedPackets"=dword:00000001',
      `[${POLICY}\\FirewallRules]`,
      '"{A}"="v2.31|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5061|App=C:\\\\Program Files\\\\Lync\\\\x.exe|Name=SIP|"',
      `[${POLICY}\\ConSecRules]`,
      '"{B}"="v2.10|Action=Secure|"',
    );
    const { policies, warnings } = parseRegistryPolicies(text);
    assert.deepEqual(warnings, []);
    assert.equal(policies.length, 1);
    const [policy] = policies;
    assert.deepEqual([policy.source, policy.name, policy.location.line], ['policy-store', POLICY, 3]);
    assert.deepEqual(policy.global, [{ name: 'PolicyVersion', value: 543, location: { line: 4, column: 1 } }]);
    const [domain] = policy.profiles;
    assert.deepEqual(
      [domain.profile, domain.enableFirewall?.value, domain.defaultInboundAction?.value, domain.defaultOutboundAction?.value],
      ['DomainProfile', true, 'Block', 'Allow'],
    );
    assert.deepEqual([domain.allowLocalPolicyMerge?.value, domain.doNotAllowExceptions?.value], [false, true]);
    assert.deepEqual(domain.disabledInterfaces?.value, [
      '{6A0E3F3E-8E8D-4A1F-9A8C-0123456789AB}',
      '{7A0E3F3E-8E8D-4A1F-9A8C-0123456789AB}',
    ]);
    assert.deepEqual(
      domain.sections.map((s) => [s.name, s.settings.map((v) => v.name)]),
      [['Logging', ['LogDroppedPackets']]],
    );
    assert.deepEqual(
      policy.rules.map((r) => [r.id, r.location, r.app?.value, r.app?.location.column, r.name?.location.column]),
      [['{A}', { line: 15, column: 8 }, 'C:\\Program Files\\Lync\\x.exe', 68, 103]],
    );
    assert.deepEqual(policy.other, [{ name: 'ConSecRules', location: { line: 16, column: 1 } }]);
  });

  it('reads the local store under CurrentControlSet or a numbered control set, apart from the policy store', () => {
    const text = reg(
      `[${LOCAL}\\FirewallRules]`,
      '"CoreNet-DHCP-In"="v2.33|Action=Allow|Active=TRUE|Dir=In|Protocol=17|LPort=68|RPort=67|App=%SystemRoot%\\\\system32\\\\svchost.exe|Svc=dhcp|Name=@FirewallAPI.dll,-25301|"',
      `[${LOCAL.replace('CurrentControlSet', 'ControlSet001')}\\StandardProfile]`,
      '"EnableFirewall"=dword:00000000',
      `[${POLICY}\\FirewallRules]`,
      '"{C}"="v2.31|Action=Block|Active=TRUE|Dir=In|Name=all|"',
    );
    const { policies } = parseRegistryPolicies(text);
    assert.deepEqual(
      policies.map((p) => [p.source, p.name, p.rules.map((r) => r.id), p.profiles.map((s) => `${s.profile}:${s.enableFirewall?.value}`)]),
      [
        ['local-store', LOCAL, ['CoreNet-DHCP-In'], []],
        ['local-store', LOCAL.replace('CurrentControlSet', 'ControlSet001'), [], ['StandardProfile:false']],
        ['policy-store', POLICY, ['{C}'], []],
      ],
    );
    assert.equal(policies[0].rules[0].name?.value, '@FirewallAPI.dll,-25301');
  });

  it('warns about firewall policy under HKEY_CURRENT_USER, which Windows does not read', () => {
    const text = reg(
      '[HKEY_CURRENT_USER\\Software\\Policies\\Microsoft\\WindowsFirewall\\DomainProfile]',
      '"EnableFirewall"=dword:0',
      `[${POLICY}]`,
    );
    const { warnings } = parseRegistryPolicies(text);
    assert.deepEqual(warnings, [
      {
        location: { line: 3, column: 1 },
        message:
          'HKEY_CURRENT_USER\\Software\\Policies\\Microsoft\\WindowsFirewall\\DomainProfile: Windows reads firewall policy from HKEY_LOCAL_MACHINE only; this key is not read',
      },
    ]);
  });

  it('warns about settings StandardProfile must not hold, and keeps them out of the typed settings', () => {
    const text = reg(`[${POLICY}\\StandardProfile]`, '"EnableFirewall"=dword:1', '"DefaultInboundAction"=dword:0');
    const { policies, warnings } = parseRegistryPolicies(text);
    assert.equal(policies[0].profiles[0].defaultInboundAction, undefined);
    assert.equal(policies[0].profiles[0].settings.length, 2);
    assert.deepEqual(
      warnings.map((w) => [w.location.line, w.message]),
      [[5, 'DefaultInboundAction is not read from StandardProfile (MS-GPFAS 2.2.3: it MUST NOT be present there)']],
    );
  });

  it('refuses an export without a firewall store, rules that are not REG_SZ, and settings out of range', () => {
    assertSyntaxError(
      () => parseRegistryPolicies(reg('[HKEY_LOCAL_MACHINE\\SOFTWARE\\Other]')),
      1,
      undefined,
      /policy store .* or local store .*; this export has neither/,
    );
    assertSyntaxError(
      () => parseRegistryPolicies(reg(`[${POLICY}\\FirewallRules]`, '"{A}"=dword:1')),
      4,
      1,
      /"\{A\}" to be a REG_SZ rule string \(MS-GPFAS 2\.2\.2\.19: the type MUST be REG_SZ\)/,
    );
    assertSyntaxError(
      () => parseRegistryPolicies(reg(`[${POLICY}\\FirewallRules]`, '@="v2.31|Action=Allow|"')),
      4,
      1,
      /the default value @ holds no rule/,
    );
    assertSyntaxError(
      () => parseRegistryPolicies(reg(`[${POLICY}\\PublicProfile]`, '"EnableFirewall"=dword:2')),
      4,
      1,
      /EnableFirewall to be 0 or 1 \(a DWORD\), not 2/,
    );
    assertSyntaxError(
      () => parseRegistryPolicies(reg(`[${POLICY}\\PublicProfile]`, '"DefaultInboundAction"="1"')),
      4,
      1,
      /DefaultInboundAction to be 0 or 1/,
    );
    assertSyntaxError(
      () => parseRegistryPolicies(reg(`[${POLICY}\\PublicProfile]`, '"DisabledInterfaces"="eth0"')),
      4,
      1,
      /DisabledInterfaces to list \{GUID\}s/,
    );
  });

  it('locates a rule string error at the file column, through the doubled backslashes', () => {
    const line = '"{A}"="v2.31|Action=Allow|App=C:\\\\x\\\\y.exe|Dir=Sideways|"';
    assertSyntaxError(
      () => parseRegistryPolicies(reg(`[${POLICY}\\FirewallRules]`, line)),
      4,
      line.indexOf('Dir=') + 1,
      /expected In or Out after Dir=, not "Sideways"/,
    );
  });
});

describe('rule string lists and the text dispatcher', () => {
  it('reads one rule string a line, skipping comments and blank lines, with columns past leading blanks', () => {
    const parsed = parseWindowsFirewallText(
      '# rules\n\n  v2.31|Action=Allow|Dir=In|Name=a|\r\n; more\nv2.10|Action=Block|Dir=Out|Name=b|\n',
    );
    assert.equal(parsed.kind, 'rule-list');
    assert.deepEqual(
      parsed.policies[0].rules.map((r) => [r.location, r.name?.value, r.name?.location.column]),
      [
        [{ line: 3, column: 3 }, 'a', 29],
        [{ line: 5, column: 1 }, 'b', 28],
      ],
    );
  });

  it('reads a registry export by its header', () => {
    assert.equal(parseWindowsFirewallText(reg(`[${POLICY}]`)).kind, 'registry-export');
  });

  it('refuses text that is neither, and a bad line of a rule list', () => {
    assertSyntaxError(
      () => parseWindowsFirewallText('\n*filter\n'),
      2,
      1,
      /registry export \(first line "Windows Registry Editor Version 5\.00"\) or rule strings one a line/,
    );
    assertSyntaxError(
      () => parseWindowsFirewallText('v2.31|Action=Allow|Dir=In|\nv2.31|Action=Allow|Dir=Up|\n'),
      2,
      20,
      /expected In or Out/,
    );
  });
});
