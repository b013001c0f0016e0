import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type FirewallRule, type GpoReport, decodeExportBytes, parseGpoReport } from '../src';
import { assertSyntaxError, readRealBytes, readRealText } from './helpers';

const FW = 'http://www.microsoft.com/GroupPolicy/Settings/WindowsFirewall';
const SETTINGS = 'http://www.microsoft.com/GroupPolicy/Settings';

/** A GPO report whose computer part holds the given extension children, under the prefix `prefix`. */
function gpoReport(body: string, { prefix = 'q1', namespace = FW, enabled = 'true', user = '' } = {}): string {
  return [
    '<?xml version="1.0" encoding="utf-16"?>',
    `<GPO xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="${SETTINGS}">`,
    '  <Identifier><Identifier xmlns="http://www.microsoft.com/GroupPolicy/Types">{11111111-2222-3333-4444-555555555555}</Identifier><Domain xmlns="http://www.microsoft.com/GroupPolicy/Types">example.test</Domain></Identifier>',
    '  <Name>Director firewall</Name>',
    `  <Computer><Enabled>${enabled}</Enabled>`,
    '    <ExtensionData>',
    `      <Extension xmlns:${prefix}="${namespace}" xsi:type="${prefix}:WindowsFirewallSettings">`,
    body.replace(/q1:/g, `${prefix}:`),
    '      </Extension>',
    '      <Name>Windows Firewall</Name>',
    '    </ExtensionData>',
    '  </Computer>',
    `  <User><Enabled>true</Enabled>${user}</User>`,
    '</GPO>',
  ].join('\r\n');
}

const SIP_RULE = [
  '<q1:InboundFirewallRules>',
  '<q1:Version>2.31</q1:Version>',
  '<q1:Action>Allow</q1:Action>',
  '<q1:Name>Lync SIP (TCP-In)</q1:Name>',
  '<q1:Dir>In</q1:Dir>',
  '<q1:LPort>5061</q1:LPort>',
  '<q1:LPort2_10>50001-50003</q1:LPort2_10>',
  '<q1:Protocol>6</q1:Protocol>',
  '<q1:RA4>192.0.2.0/24</q1:RA4>',
  '<q1:RA4>LocalSubnet</q1:RA4>',
  '<q1:Active>true</q1:Active>',
  '</q1:InboundFirewallRules>',
].join('\r\n');

describe('GPO reports: the Windows Firewall extension under any prefix', () => {
  for (const prefix of ['q1', 'q7', 'fw']) {
    it(`reads rules and profiles under the prefix ${prefix}:`, () => {
      const report = parseGpoReport(
        gpoReport(
          `<q1:DomainProfile><q1:EnableFirewall><q1:Value>true</q1:Value></q1:EnableFirewall><q1:DefaultOutboundAction><q1:Value>true</q1:Value></q1:DefaultOutboundAction></q1:DomainProfile>\r\n${SIP_RULE}`,
          { prefix },
        ),
      );
      assert.equal(report.kind, 'gpo');
      assert.equal(report.policies.length, 1);
      const [policy] = report.policies;
      assert.deepEqual(policy.gpo, {
        identifier: '{11111111-2222-3333-4444-555555555555}',
        domain: 'example.test',
        name: 'Director firewall',
        computerEnabled: true,
      });
      assert.equal(policy.name, 'Director firewall');
      assert.deepEqual(
        [policy.profiles[0].profile, policy.profiles[0].enableFirewall?.value, policy.profiles[0].defaultOutboundAction?.value],
        ['DomainProfile', true, 'Block'],
      );
      const [rule] = policy.rules;
      assert.deepEqual(rule.location, { line: 9, column: 1, path: `/GPO/Computer/ExtensionData/Extension/${prefix}:InboundFirewallRules` });
      assert.equal(rule.version, '2.31');
      assert.equal(
        rule.text,
        'v2.31|Action=Allow|Name=Lync SIP (TCP-In)|Dir=In|LPort=5061|LPort2_10=50001-50003|Protocol=6|RA4=192.0.2.0/24|RA4=LocalSubnet|Active=true|',
      );
      assert.deepEqual(
        rule.lport.map((p) => (p.kind === 'range' ? [p.key, p.first, p.last, p.location.line] : [])),
        [
          ['LPort', 5061, 5061, 14],
          ['LPort2_10', 50001, 50003, 15],
        ],
      );
      assert.deepEqual(rule.lport[0].location.path, `/GPO/Computer/ExtensionData/Extension/${prefix}:InboundFirewallRules/${prefix}:LPort`);
      assert.deepEqual(
        rule.ra.map((a) => a.kind),
        ['subnet', 'keyword'],
      );
      assert.equal(rule.active?.value, true);
    });
  }

  it('reads fields in the order the report gives them (LPort before Protocol) and ranges under LPort', () => {
    const rule = parseGpoReport(
      gpoReport(
        '<q1:InboundFirewallRules><q1:Version>2.20</q1:Version><q1:LPort>5000-5010</q1:LPort><q1:Protocol>17</q1:Protocol><q1:Action>Block</q1:Action></q1:InboundFirewallRules>',
      ),
    ).policies[0].rules[0];
    assert.deepEqual(rule.lport[0].kind === 'range' && [rule.lport[0].first, rule.lport[0].last], [5000, 5010]);
    assert.deepEqual(rule.dir, { key: 'InboundFirewallRules', location: rule.location, value: 'In' }, 'without <Dir>, the container says');
  });

  it('reads a <report> of several GPOs, each its own policy, and says when computer settings are disabled', () => {
    const one = gpoReport(SIP_RULE).split('\r\n').slice(1).join('\r\n');
    const two = gpoReport(
      SIP_RULE.replace('InboundFirewallRules', 'OutboundFirewallRules')
        .replace('InboundFirewallRules', 'OutboundFirewallRules')
        .replace('<q1:Dir>In', '<q1:Dir>Out'),
      { enabled: 'false' },
    )
      .split('\r\n')
      .slice(1)
      .join('\r\n')
      .replace('<Name>Director firewall</Name>', '<Name>Second</Name>');
    const report = parseGpoReport(`<report xmlns="${SETTINGS}">\r\n${one}\r\n${two}\r\n</report>`);
    assert.equal(report.kind, 'gpo-list');
    assert.deepEqual(
      report.policies.map((p) => [p.name, p.gpo?.computerEnabled, p.rules.map((r) => r.dir?.value), p.location.path]),
      [
        ['Director firewall', true, ['In'], '/report/GPO[1]/Computer/ExtensionData/Extension'],
        ['Second', false, ['Out'], '/report/GPO[2]/Computer/ExtensionData/Extension'],
      ],
    );
  });

  it('warns about firewall settings under User, which Windows does not apply', () => {
    const user = `<ExtensionData><Extension xmlns:q9="${FW}" xsi:type="q9:WindowsFirewallSettings"/><Name>Windows Firewall</Name></ExtensionData>`;
    const report = parseGpoReport(gpoReport(SIP_RULE, { user }));
    assert.deepEqual(
      report.warnings.map((w) => [w.location.path, w.message]),
      [
        [
          '/GPO/User/ExtensionData/Extension',
          'Windows Firewall settings under User are not applied: Windows reads firewall policy per computer',
        ],
      ],
    );
  });

  it('returns no policy for a report without a Windows Firewall extension', () => {
    const report = parseGpoReport(
      `<GPO xmlns="${SETTINGS}"><Name>x</Name><Computer><ExtensionData><Extension xmlns:q3="${SETTINGS}/Registry" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="q3:RegistrySettings"/></ExtensionData></Computer></GPO>`,
    );
    assert.deepEqual(report.policies, []);
  });
});

describe('RSoP reports: settings with their GPO and precedence', () => {
  const rsop = (profileBody: string, rules = ''): string =>
    [
      '<Rsop xmlns="http://www.microsoft.com/GroupPolicy/Rsop" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
      '<ComputerResults><Name>CONTOSO\\DIR01</Name>',
      '<GPO><Name>Low</Name><Path><Identifier xmlns="http://www.microsoft.com/GroupPolicy/Types">{A}</Identifier></Path></GPO>',
      '<GPO><Name>High</Name><Path><Identifier xmlns="http://www.microsoft.com/GroupPolicy/Types">{B}</Identifier></Path></GPO>',
      `<ExtensionData><Extension xmlns:q6="${FW}" xsi:type="q6:WindowsFirewallSettings" xmlns="${SETTINGS}">`,
      `<q6:DomainProfile>${profileBody}</q6:DomainProfile>${rules}`,
      '</Extension></ExtensionData></ComputerResults></Rsop>',
    ].join('\n');
  const setting = (name: string, gpo: string, precedence: number, value: string): string =>
    `<q6:${name}><GPO xmlns="http://www.microsoft.com/GroupPolicy/Settings/Base"><Identifier xmlns="http://www.microsoft.com/GroupPolicy/Types">${gpo}</Identifier></GPO><Precedence xmlns="http://www.microsoft.com/GroupPolicy/Settings/Base">${precedence}</Precedence><q6:Value>${value}</q6:Value></q6:${name}>\n`;

  it('takes the setting of precedence 1, keeps every one in settings, and names the GPOs', () => {
    const report = parseGpoReport(
      rsop(setting('DefaultInboundAction', '{A}', 2, 'false') + setting('DefaultInboundAction', '{B}', 1, 'true')),
    );
    assert.equal(report.kind, 'rsop');
    const [policy] = report.policies;
    assert.equal(policy.name, 'RSoP of CONTOSO\\DIR01');
    const [domain] = policy.profiles;
    assert.deepEqual(domain.defaultInboundAction, {
      value: 'Block',
      location: { line: 7, column: 1, path: '/Rsop/ComputerResults/ExtensionData/Extension/q6:DomainProfile/q6:DefaultInboundAction[2]' },
      origin: { gpoIdentifier: '{B}', gpoName: 'High', precedence: 1 },
    });
    assert.deepEqual(
      domain.settings.map((s) => [s.name, s.value, s.origin?.precedence]),
      [
        ['DefaultInboundAction', 'false', 2],
        ['DefaultInboundAction', 'true', 1],
      ],
    );
  });

  it('keeps the GPO and precedence of RSoP rules', () => {
    const rule = `<q6:InboundFirewallRules><GPO xmlns="http://www.microsoft.com/GroupPolicy/Settings/Base"><Identifier xmlns="http://www.microsoft.com/GroupPolicy/Types">{A}</Identifier></GPO><Precedence xmlns="http://www.microsoft.com/GroupPolicy/Settings/Base">2</Precedence><q6:Version>2.31</q6:Version><q6:Action>Allow</q6:Action><q6:Dir>In</q6:Dir></q6:InboundFirewallRules>`;
    const [parsed] = parseGpoReport(rsop('', rule)).policies[0].rules;
    assert.deepEqual(parsed.origin, { gpoIdentifier: '{A}', gpoName: 'Low', precedence: 2 });
  });
});

describe('GPO reports: what is refused, located by line and path', () => {
  const rule = (fields: string, container = 'InboundFirewallRules'): string =>
    gpoReport(`<q1:${container}>\r\n<q1:Version>2.31</q1:Version>\r\n${fields}\r\n</q1:${container}>`);

  it('refuses an unknown keyword at its element', () => {
    assertSyntaxError(
      () => parseGpoReport(rule('<q1:Action>Permit</q1:Action>')),
      10,
      1,
      /expected Allow, Block or ByPass after Action=, not "Permit"/,
    );
    assertSyntaxError(
      () => parseGpoReport(rule('<q1:Protocol>6</q1:Protocol>\r\n<q1:LPort>Kerberos</q1:LPort>')),
      11,
      1,
      /after LPort=, not "Kerberos"/,
    );
    assertSyntaxError(
      () => parseGpoReport(rule('<q1:Protocol>1</q1:Protocol>\r\n<q1:RPort>53</q1:RPort>')),
      11,
      1,
      /RPort= needs Protocol=6 or Protocol=17 \(TCP or UDP\); the rule has Protocol=1/,
    );
  });

  it('refuses a Windows Firewall extension in another namespace, whatever its prefix', () => {
    assertSyntaxError(
      () => parseGpoReport(gpoReport(SIP_RULE, { namespace: 'http://www.microsoft.com/GroupPolicy/Settings/WindowsFirewal' })),
      7,
      7,
      /expected the Windows Firewall extension in the namespace http:\/\/www\.microsoft\.com\/GroupPolicy\/Settings\/WindowsFirewall, not http:\/\/www\.microsoft\.com\/GroupPolicy\/Settings\/WindowsFirewal$/,
    );
  });

  it('refuses a root that is no report, or a report root in another namespace', () => {
    assertSyntaxError(
      () => parseGpoReport('<pfsense><filter/></pfsense>'),
      1,
      1,
      /expected a Group Policy report: root <GPO> .* or <Rsop> \(gpresult \/x\), not <pfsense>/,
    );
    assertSyntaxError(
      () => parseGpoReport('<GPO xmlns="urn:other"/>'),
      1,
      1,
      /expected <GPO> in the namespace http:\/\/www\.microsoft\.com\/GroupPolicy\/Settings \(a Get-GPOReport XML report\), not urn:other/,
    );
    assertSyntaxError(
      () => parseGpoReport('<Rsop/>'),
      1,
      1,
      /expected <Rsop> in the namespace http:\/\/www\.microsoft\.com\/GroupPolicy\/Rsop .*, not no namespace/,
    );
  });

  it('refuses a rule without <Version>, a Dir its container contradicts, and element content in a field', () => {
    assertSyntaxError(
      () => parseGpoReport(gpoReport('<q1:InboundFirewallRules><q1:Action>Allow</q1:Action></q1:InboundFirewallRules>')),
      8,
      1,
      /expected a <Version> \(the rule's MAJOR\.MINOR\) in <q1:InboundFirewallRules>/,
    );
    assertSyntaxError(() => parseGpoReport(rule('<q1:Dir>Out</q1:Dir>')), 10, 1, /expected Dir In in <q1:InboundFirewallRules>, not Out/);
    assertSyntaxError(
      () => parseGpoReport(rule('<q1:Name><q1:Value>x</q1:Value></q1:Name>')),
      10,
      1,
      /expected the text of a rule field in <q1:Name>, not elements/,
    );
    assertSyntaxError(
      () => parseGpoReport(rule('<q1:Version>2.31</q1:Version>')),
      10,
      1,
      /<Version> may appear only once in a rule \(it is already at line 9\)/,
    );
  });

  it('refuses a setting given twice in a GPO, a setting without <Value>, and values out of range', () => {
    const profile = (body: string): string => gpoReport(`<q1:PublicProfile>\r\n${body}\r\n</q1:PublicProfile>`);
    assertSyntaxError(
      () =>
        parseGpoReport(
          profile(
            '<q1:EnableFirewall><q1:Value>true</q1:Value></q1:EnableFirewall>\r\n<q1:EnableFirewall><q1:Value>false</q1:Value></q1:EnableFirewall>',
          ),
        ),
      10,
      1,
      /EnableFirewall appears twice in PublicProfile \(also at line 9\)/,
    );
    assertSyntaxError(
      () => parseGpoReport(profile('<q1:EnableFirewall><q1:Other>1</q1:Other></q1:EnableFirewall>')),
      9,
      1,
      /expected a <Value> in the setting <q1:EnableFirewall>/,
    );
    assertSyntaxError(
      () => parseGpoReport(profile('<q1:DefaultInboundAction><q1:Value>2</q1:Value></q1:DefaultInboundAction>')),
      9,
      1,
      /DefaultInboundAction to be 0 or 1 \(a DWORD\), not 2/,
    );
  });

  it('refuses a truncated report, malformed XML and an entity bomb, at their line and column', () => {
    const text = gpoReport(SIP_RULE);
    assertSyntaxError(
      () => parseGpoReport(text.slice(0, text.indexOf('<q1:Protocol>') + 5)),
      15,
      1,
      /start tag <q1:P> is not closed; expected '>' \(XML malformed\)/,
    );
    assertSyntaxError(
      () => parseGpoReport(text.replace('</q1:Name>', '</q1:Nam>')),
      11,
      27,
      /end tag <\/q1:Nam> where <\/q1:Name> \(opened at line 11, column 1\) was expected \(XML malformed\)/,
    );
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE GPO [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n<GPO xmlns="${SETTINGS}"><Name>&c;</Name></GPO>`;
    assertSyntaxError(() => parseGpoReport(bomb), 2, undefined, /XML doctype/);
    assertSyntaxError(
      () => parseGpoReport(`<!DOCTYPE GPO SYSTEM "file:///etc/passwd"><GPO xmlns="${SETTINGS}"/>`),
      1,
      undefined,
      /XML doctype/,
    );
  });
});

describe('real reports', () => {
  it('gporeport_sn_domain_firewall_baseline.xml: 11 inbound and 82 outbound rules, counted with grep', () => {
    const report = parseGpoReport(readRealText('gporeport_sn_domain_firewall_baseline.xml'));
    assert.equal(report.kind, 'gpo');
    assert.equal(report.policies.length, 1);
    const [policy] = report.policies;
    assert.deepEqual(policy.gpo, {
      identifier: '{A576723D-F600-4C78-8077-E3832B6EB65B}',
      domain: 'rras.local',
      name: 'SN-Domain Firewall Baseline',
      computerEnabled: true,
    });
    assert.deepEqual(policy.location, { line: 145, column: 7, path: '/GPO/Computer/ExtensionData[2]/Extension' });
    assert.deepEqual(
      policy.global.map((s) => [s.name, s.value, s.location.line]),
      [['PolicyVersion', 534, 147]],
    );
    assert.deepEqual(policy.profiles, []);
    const inbound = policy.rules.filter((r) => r.dir?.value === 'In');
    const outbound = policy.rules.filter((r) => r.dir?.value === 'Out');
    assert.equal(inbound.length, 11);
    assert.equal(outbound.length, 82);
    assert.deepEqual(
      inbound.map((r) => r.location.line),
      [151, 163, 177, 190, 202, 216, 227, 240, 253, 265, 278],
    );
    assert.equal(outbound[0].location.line, 291);
    assert.equal(outbound[81].location.line, 1311);
    const count = (predicate: (rule: FirewallRule) => boolean): number => policy.rules.filter(predicate).length;
    assert.equal(
      count((r) => r.action?.value === 'Allow' && r.active?.value === true),
      93,
    );
    assert.deepEqual(
      [6, 17, 58, 1, 2].map((p) => count((r) => r.protocol?.value === p)),
      [70, 5, 12, 3, 3],
    );
    assert.equal(
      count((r) => r.profile.some((p) => p.value === 'Domain')),
      56,
    );
    assert.equal(
      count((r) => r.edge?.value === true),
      6,
    );
    assert.equal(
      count((r) => r.app !== undefined),
      84,
    );
    assert.equal(
      count((r) => r.svc !== undefined),
      16,
    );
    const all = <T>(pick: (rule: FirewallRule) => T[]): T[] => policy.rules.flatMap(pick);
    assert.equal(all((r) => r.icmp4).length, 11);
    assert.equal(all((r) => r.icmp6).length, 12);
    assert.equal(all((r) => r.rport).length, 91);
    assert.equal(all((r) => r.ra.filter((a) => a.kind === 'keyword' && a.keyword === 'LocalSubnet')).length, 72);
    assert.deepEqual(
      report.warnings.map((w) => [w.location.line, w.message]),
      [
        [822, 'Desc= is empty (MS-GPFAS: STR-VAL has at least one character)'],
        [876, 'Desc= is empty (MS-GPFAS: STR-VAL has at least one character)'],
      ],
    );
    const [backup, icmp] = inbound;
    assert.equal(
      backup.text,
      'v2.20|Action=Allow|Name=Microsoft® Block Level Backup Engine Service EXE (TCP-In)|Dir=In|App=%SystemRoot%\\System32\\wbengine.exe|Profile=Domain|RA4=127.0.0.1|LPort=RPC|Protocol=6|Active=true|',
    );
    assert.deepEqual(
      icmp.icmp4.map((i) => `${i.type}:${i.code ?? '*'}`),
      ['2:*', '3:*', '11:*', '12:*', '3:3', '3:4'],
    );
    assert.equal(inbound[2].name?.value, '@FirewallAPI.dll,-25110');
  });

  it('rsop_win11_24h2_msft_baseline.xml: profile settings only, each from its GPO at precedence 1', () => {
    const report = parseGpoReport(readRealText('rsop_win11_24h2_msft_baseline.xml'));
    assert.equal(report.kind, 'rsop');
    // The Registry extension's Administrative Templates under Windows Firewall are noticed, not read.
    assert.deepEqual(
      report.warnings.map((w) => [w.location.line, w.location.path, w.message]),
      ['Allow logging', 'Prohibit notifications', 'Protect all network connections'].map((name, i) => [
        [2548, 2587, 2605][i],
        `/Rsop/ComputerResults/ExtensionData[6]/Extension/q8:Policy[${6 + i}]`,
        `the Administrative Template "Windows Firewall: ${name}" (Enabled, Network/Network Connections/Windows Firewall/Domain Profile) sets Windows Firewall policy outside the Windows Firewall extension: it is not read`,
      ]),
    );
    assert.equal(report.policies.length, 1);
    const [policy] = report.policies;
    assert.deepEqual(policy.location, { line: 2235, column: 7, path: '/Rsop/ComputerResults/ExtensionData[4]/Extension' });
    assert.deepEqual(policy.rules, []);
    assert.deepEqual(
      policy.global.map((s) => [s.name, s.value]),
      [['PolicyVersion', 538]],
    );
    assert.deepEqual(
      policy.profiles.map((p) => [
        p.profile,
        p.location.line,
        p.enableFirewall?.value,
        p.defaultInboundAction?.value,
        p.defaultOutboundAction?.value,
        p.allowLocalPolicyMerge?.value,
        p.settings.length,
      ]),
      [
        ['DomainProfile', 2246, true, 'Block', 'Allow', undefined, 7],
        ['PublicProfile', 2304, true, 'Block', 'Allow', false, 9],
        ['PrivateProfile', 2378, true, 'Block', 'Allow', undefined, 7],
      ],
    );
    assert.deepEqual(policy.profiles[0].enableFirewall?.origin, {
      gpoIdentifier: '{08F4E747-3FEF-4E0A-94FB-7F35826CEE8C}',
      gpoDomain: 'Contoso.com',
      gpoName: 'MSFT Windows 11 24H2 - Computer',
      precedence: 1,
    });
    assert.equal(policy.profiles[1].allowLocalIPsecPolicyMerge?.value, false);
  });

  it('reads the same report from UTF-8 bytes as from the UTF-16LE original', () => {
    const original = readRealBytes('gporeport_sn_domain_firewall_baseline.xml');
    const text = decodeExportBytes(original);
    const shape = (report: GpoReport): unknown => report.policies.map((p) => p.rules.map((r) => [r.location, r.text]));
    const fromUtf16 = parseGpoReport(text);
    const utf8 = Buffer.from(text.replace('encoding="utf-16"', 'encoding="utf-8"'), 'utf8');
    assert.deepEqual(shape(parseGpoReport(decodeExportBytes(utf8))), shape(fromUtf16));
    assert.deepEqual(shape(parseGpoReport(decodeExportBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8])))), shape(fromUtf16));
  });
});

describe('decoding export bytes', () => {
  it('reads UTF-16LE and UTF-16BE with or without a byte-order mark, and UTF-8', () => {
    const text = 'Windows Registry Editor Version 5.00\r\n[HKEY_LOCAL_MACHINE\\A]\r\n"é"="ü"\r\n';
    const le = Buffer.from(text, 'utf16le');
    const be = Buffer.from(le).swap16();
    assert.equal(decodeExportBytes(Buffer.concat([Buffer.from([0xff, 0xfe]), le])), text);
    assert.equal(decodeExportBytes(Buffer.concat([Buffer.from([0xfe, 0xff]), be])), text);
    assert.equal(decodeExportBytes(le), text);
    assert.equal(decodeExportBytes(be), text);
    assert.equal(decodeExportBytes(Buffer.from(text, 'utf8')), text);
    assert.equal(decodeExportBytes(new Uint8Array(0)), '');
  });
});
