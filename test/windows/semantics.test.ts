/**
 * Microsoft's semantics, one at a time, on small exports: precedence, authenticated bypass,
 * profiles and their settings, local policy merge, keywords, program-limited rules, families.
 * Each audits the flow edge-director-sip (tcp 5061 from the Edge, 192.0.2.20) to Director .11,
 * over IPv4 only unless a test says otherwise.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { auditWindows, policyStore, result, windowsFile } from './support';

const DOMAIN = ['"EnableFirewall"=dword:00000001', '"DefaultInboundAction"=dword:00000001', '"DefaultOutboundAction"=dword:00000000'];
const NO_MERGE = [...DOMAIN, '"AllowLocalPolicyMerge"=dword:00000000'];
const ALLOW_SIP = 'v2.31|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5061|RA4=192.0.2.20|Name=SIP|';
const BLOCK_PERIMETER = 'v2.31|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=5061|RA4=192.0.2.0/24|Name=Block the perimeter|';

/** The edge-director-sip result in the Domain profile for a policy store with these Domain values and rules. */
function sip(domain: string[], rules: string[], options: Record<string, unknown> = {}): ReturnType<typeof result> {
  const file = windowsFile('policy.reg', policyStore({ DomainProfile: domain }, rules));
  return result(auditWindows(file, '11', { profiles: ['domain'], ...options }, IPV4_ONLY), 'edge-director-sip');
}

/** The Edge and the Director by their IPv4 addresses only. */
const IPV4_ONLY = { 'edge-internal': ['192.0.2.20'], director: ['198.51.100.11'] };

const lines = (r: ReturnType<typeof result>): number[] => r.decidedBy.map((d) => d.line);

describe('precedence: any matching block beats any matching allow, whatever their order', () => {
  it('blocks with the allow rule first or last', () => {
    for (const rules of [
      [ALLOW_SIP, BLOCK_PERIMETER],
      [BLOCK_PERIMETER, ALLOW_SIP],
    ]) {
      const r = sip(NO_MERGE, rules);
      assert.equal(r.status, 'denied');
      assert.deepEqual(lines(r), [10 + rules.indexOf(BLOCK_PERIMETER)]);
    }
  });

  it('a block that matches nothing of the flow leaves it to the allow rule', () => {
    const r = sip(NO_MERGE, [ALLOW_SIP, BLOCK_PERIMETER.replace('192.0.2.0/24', '192.0.2.128/25')]);
    assert.deepEqual([r.status, lines(r)], ['allowed', [10]]);
  });
});

describe('authenticated bypass (Action=ByPass) comes before every block', () => {
  const bypass =
    'v2.31|Action=ByPass|Active=TRUE|Dir=In|Protocol=6|LPort=5061|RA4=192.0.2.0/24|Security=Authenticate|RMAuth=O:LSD:(A;;CC;;;S-1-5-21-1)|Name=Authenticated perimeter|';

  it('is undetermined unless the deployment says the peer authenticates', () => {
    const r = sip(NO_MERGE, [BLOCK_PERIMETER, bypass]);
    assert.equal(r.status, 'undetermined');
    assert.deepEqual(r.reasons, [
      'Action=ByPass allows only traffic that IPsec authenticates, and whether the peer authenticates the deployment does not say (authenticatedPeers) (line 11)',
    ]);
  });

  it('allows an authenticated peer even where a block rule matches', () => {
    const r = sip(NO_MERGE, [BLOCK_PERIMETER, bypass], { authenticatedPeers: ['192.0.2.20'] });
    assert.deepEqual([r.status, lines(r)], ['allowed', [11]]);
  });

  it('leaves a peer that does not authenticate to the block rule', () => {
    const r = sip(NO_MERGE, [BLOCK_PERIMETER, bypass], { authenticatedPeers: ['192.0.2.99'] });
    assert.deepEqual([r.status, lines(r)], ['denied', [10]]);
  });

  it('treats an allow rule that requires authentication alike', () => {
    const secure = ALLOW_SIP.replace('Name=SIP|', 'Security=AuthenticateEncrypt|Name=Secure SIP|');
    assert.equal(sip(NO_MERGE, [secure]).status, 'undetermined');
    assert.equal(sip(NO_MERGE, [secure], { authenticatedPeers: ['192.0.2.20'] }).status, 'allowed');
  });
});

describe('AllowLocalPolicyMerge: local rules the export cannot show', () => {
  it('false: the default decides', () => {
    const r = sip(NO_MERGE, []);
    assert.deepEqual([r.status, lines(r)], ['denied', [5]]);
  });

  it('unset or true: what the default blocks is undetermined, and says why', () => {
    for (const domain of [DOMAIN, [...DOMAIN, '"AllowLocalPolicyMerge"=dword:00000001']]) {
      const r = sip(domain, []);
      assert.equal(r.status, 'undetermined');
      assert.match(
        r.reasons[0],
        /^the Domain profile merges the host's local rules \(AllowLocalPolicyMerge (not set: Windows' default, true|= true)\), which this export does not show: one of them may allow what DefaultInboundAction blocks/,
      );
    }
  });

  it('unset, but a block rule decides', () => {
    const r = sip(DOMAIN, [BLOCK_PERIMETER]);
    assert.deepEqual([r.status, lines(r)], ['denied', [9]]);
  });

  it('with the local store in the export, its rules merge where the policy allows it', () => {
    const local = 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy';
    const store = (merge: string): string =>
      [
        policyStore({ DomainProfile: [...DOMAIN, `"AllowLocalPolicyMerge"=dword:0000000${merge}`] }, []).trimEnd(),
        `[${local}\\FirewallRules]`,
        `"Lync-SIP-In"="${ALLOW_SIP}"`,
        '',
      ].join('\n');
    const merged = result(
      auditWindows(windowsFile('both.reg', store('1')), '11', { profiles: ['domain'] }, IPV4_ONLY),
      'edge-director-sip',
    );
    assert.deepEqual([merged.status, lines(merged)], ['allowed', [11]]);
    const kept = result(auditWindows(windowsFile('both.reg', store('0')), '11', { profiles: ['domain'] }, IPV4_ONLY), 'edge-director-sip');
    assert.deepEqual([kept.status, lines(kept)], ['denied', [5]]);
  });
});

describe('profiles', () => {
  it('a rule applies to the profiles it names; none names every one', () => {
    const privateOnly = ALLOW_SIP.replace('Dir=In|', 'Dir=In|Profile=Private|Profile=Public|');
    assert.equal(sip(NO_MERGE, [privateOnly]).status, 'denied');
    assert.equal(sip(NO_MERGE, [privateOnly.replace('Profile=Public|', 'Profile=Domain|')]).status, 'allowed');
  });

  it('the local store keeps the private profile under StandardProfile', () => {
    const local = 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy';
    const text = [
      'Windows Registry Editor Version 5.00',
      `[${local}\\StandardProfile]`,
      '"EnableFirewall"=dword:00000000',
      `[${local}\\FirewallRules]`,
      '',
    ].join('\n');
    const report = auditWindows(windowsFile('local.reg', text), '11', {}, IPV4_ONLY);
    assert.equal(result(report, 'edge-director-sip', 'private').status, 'allowed');
    assert.equal(
      result(report, 'edge-director-sip', 'private').decidedBy[0].text,
      "EnableFirewall = false (StandardProfile: the local store's private profile)",
    );
    assert.equal(result(report, 'edge-director-sip', 'public').status, 'denied', 'the public profile keeps its defaults');
  });

  it("the local store's StandardProfile holds the private profile's default actions too", () => {
    const local = 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy';
    const text = [
      'Windows Registry Editor Version 5.00',
      `[${local}\\StandardProfile]`,
      '"EnableFirewall"=dword:00000001',
      '"DefaultInboundAction"=dword:00000000',
      `[${local}\\FirewallRules]`,
      '',
    ].join('\n');
    const report = auditWindows(windowsFile('local.reg', text), '11', {}, IPV4_ONLY);
    const sip = result(report, 'edge-director-sip', 'private');
    assert.deepEqual(
      [sip.status, sip.decidedBy.map((d) => [d.line, d.text])],
      ['allowed', [[4, "DefaultInboundAction = Allow (StandardProfile: the local store's private profile)"]]],
    );
    assert.equal(result(report, 'edge-director-sip', 'public').status, 'denied', 'the public profile keeps its defaults');
  });

  it("the local store's service hardening and MDM rules are said, not read", () => {
    const local = 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy';
    const text = [
      'Windows Registry Editor Version 5.00',
      `[${local}\\FirewallRules]`,
      `"SIP"="${ALLOW_SIP}"`,
      `[${local}\\RestrictedServices\\Static\\System]`,
      '"WSH1"="v2.33|Action=Block|Active=TRUE|Dir=In|Svc=dnscache|Name=WSH|"',
      `[${local}\\Mdm\\FirewallRules]`,
      '',
    ].join('\n');
    const report = auditWindows(windowsFile('local.reg', text), '11', { profiles: ['domain'] }, IPV4_ONLY);
    assert.equal(result(report, 'edge-director-sip').status, 'allowed');
    assert.deepEqual(
      report.warnings.slice(1).map((w) => [w.line, w.message]),
      [
        [
          4,
          `${local} also holds RestrictedServices\\Static\\System, Mdm\\FirewallRules (service hardening or MDM rules, which Windows enforces too): they are not read`,
        ],
      ],
    );
  });

  it('an enabled exception of the legacy Windows Firewall policy is said, not read', () => {
    const file = windowsFile(
      'policy.reg',
      policyStore(
        {
          DomainProfile: NO_MERGE,
          'DomainProfile\\Services\\FileAndPrint': ['"Enabled"=dword:00000001'],
          'DomainProfile\\Services\\RemoteDesktop': ['"Enabled"=dword:00000000'],
        },
        [],
      ),
    );
    const report = auditWindows(file, '11', { profiles: ['domain'] }, IPV4_ONLY);
    assert.deepEqual(
      report.warnings.map((w) => [w.line, w.message]),
      [
        [
          9,
          'DomainProfile\\Services\\FileAndPrint enables an exception of the legacy Windows Firewall policy, which still opens ports: it is not read',
        ],
      ],
    );
  });

  it('DoNotAllowExceptions (shield up) blocks every inbound connection, allow rules or not', () => {
    const r = sip([...NO_MERGE, '"DoNotAllowExceptions"=dword:00000001'], [ALLOW_SIP]);
    assert.deepEqual([r.status, lines(r)], ['denied', [8]]);
  });
});

describe('fields', () => {
  it('a port keyword is undetermined unless the deployment gives its ports', () => {
    const rpc = ALLOW_SIP.replace('LPort=5061', 'LPort=RPC');
    const open = sip(NO_MERGE, [rpc]);
    assert.equal(open.status, 'undetermined');
    assert.deepEqual(open.reasons, [
      "the ports of LPort=RPC are the host's to choose (give them under portKeywords in the deployment) (line 10)",
    ]);
    assert.equal(sip(NO_MERGE, [rpc], { portKeywords: { RPC: ['5000-5100'] } }).status, 'allowed');
    assert.equal(sip(NO_MERGE, [rpc], { portKeywords: { RPC: ['49152-65535'] } }).status, 'denied');
  });

  it('an address keyword is undetermined unless the deployment defines it', () => {
    const dns = ALLOW_SIP.replace('RA4=192.0.2.20', 'RA4=DNS');
    assert.equal(sip(NO_MERGE, [dns]).status, 'undetermined');
    assert.equal(sip(NO_MERGE, [dns], { addressKeywords: { DNS: ['192.0.2.20'] } }).status, 'allowed');
  });

  it("LocalSubnet is the host's networks, from localSubnet or the deployment's interfaces", () => {
    const local = ALLOW_SIP.replace('RA4=192.0.2.20', 'RA4=LocalSubnet');
    assert.equal(sip(NO_MERGE, [local], { localSubnet: ['192.0.2.0/24'] }).status, 'allowed');
    assert.equal(sip(NO_MERGE, [local], { localSubnet: ['198.51.100.0/24'] }).status, 'denied');
  });

  it('Svc= and AppPkgId= are program limits like App=', () => {
    const svc = ALLOW_SIP.replace('Name=SIP|', 'App=%SystemRoot%\\system32\\svchost.exe|Svc=RTCSRV|Name=SIP|');
    assert.equal(sip(NO_MERGE, [svc]).status, 'undetermined');
    const named = { programs: [{ program: '%SystemRoot%\\system32\\svchost.exe', service: 'rtcsrv', protocol: 'tcp', ports: [5061] }] };
    assert.equal(sip(NO_MERGE, [svc], named).status, 'allowed');
    const pkg = ALLOW_SIP.replace('Name=SIP|', 'AppPkgId=S-1-15-2-1|Name=SIP|');
    assert.equal(sip(NO_MERGE, [pkg], { programs: [{ package: 'S-1-15-2-2', protocol: 'tcp', ports: [5061] }] }).status, 'denied');
  });

  it('LOM=TRUE ignores the remote conditions of an allow rule', () => {
    const elsewhere = ALLOW_SIP.replace('RA4=192.0.2.20', 'RA4=203.0.113.1');
    assert.equal(sip(NO_MERGE, [elsewhere]).status, 'denied');
    assert.equal(sip(NO_MERGE, [elsewhere.replace('Name=SIP|', 'LOM=TRUE|Name=SIP|')]).status, 'allowed');
  });

  it('IPv4 addresses do not match IPv6 packets, nor IPv6 addresses IPv4 ones', () => {
    const v6 = ALLOW_SIP.replace('RA4=192.0.2.20', 'RA6=2001:db8:2::20');
    const file = windowsFile('policy.reg', policyStore({ DomainProfile: NO_MERGE }, [v6]));
    const r = result(auditWindows(file, '11', { profiles: ['domain'] }), 'edge-director-sip');
    // The IPv6 half of the flow is allowed, the IPv4 half denied.
    assert.equal(r.status, 'partial');
    assert.equal(r.witness?.src, '192.0.2.20');
  });

  it('a rule whose IPv4 and IPv6 conditions exclude each other has no effect, and is said', () => {
    const file = windowsFile(
      'policy.reg',
      policyStore({ DomainProfile: NO_MERGE }, [ALLOW_SIP.replace('RA4=192.0.2.20', 'RA4=192.0.2.20|LA6=2001:db8:100::11')]),
    );
    const report = auditWindows(file, '11', { profiles: ['domain'] }, IPV4_ONLY);
    assert.equal(result(report, 'edge-director-sip').status, 'denied');
    assert.deepEqual(
      report.warnings.map((w) => [w.line, w.message]),
      [[10, 'rule "SIP" matches no packet of either family (its IPv4 and IPv6 conditions exclude each other): it has no effect']],
    );
  });

  it('interface and trust-tuple conditions are undetermined', () => {
    assert.equal(sip(NO_MERGE, [ALLOW_SIP.replace('Name=SIP|', 'IFType=Wireless|Name=SIP|')]).status, 'undetermined');
    assert.equal(sip(NO_MERGE, [ALLOW_SIP.replace('Name=SIP|', 'TTK2_27=UPnP|Name=SIP|')]).status, 'undetermined');
  });

  it('a key MS-GPFAS does not define makes the rule undetermined, with a warning', () => {
    const file = windowsFile(
      'policy.reg',
      policyStore({ DomainProfile: NO_MERGE }, [ALLOW_SIP.replace('Name=SIP|', 'Future2_40=1|Name=SIP|')]),
    );
    const report = auditWindows(file, '11', { profiles: ['domain'] }, IPV4_ONLY);
    assert.deepEqual(result(report, 'edge-director-sip').reasons, [
      'Future2_40=: a key MS-GPFAS does not define, whose condition is unknown (line 10)',
    ]);
    assert.deepEqual(
      report.warnings.map((w) => [w.line, w.message]),
      [[10, 'Future2_40= is not a key of MS-GPFAS 2.2.2.19: kept as written, not interpreted']],
    );
  });

  it('Edge= and Platform= are kept: the rule applies, and a warning says what was assumed', () => {
    const file = windowsFile(
      'policy.reg',
      policyStore({ DomainProfile: NO_MERGE }, [ALLOW_SIP.replace('Name=SIP|', 'Edge=TRUE|Platform=2:6:2|Platform2=GTEQ|Name=SIP|')]),
    );
    const report = auditWindows(file, '11', { profiles: ['domain'] }, IPV4_ONLY);
    assert.equal(result(report, 'edge-director-sip').status, 'allowed');
    assert.deepEqual(
      report.warnings.map((w) => w.message),
      ["1 rule applies only on some Windows versions (Platform=), assumed to include the host's: line 10"],
    );
  });

  it('a rule Windows refuses (no Action=) is not enforced, and said', () => {
    const file = windowsFile('policy.reg', policyStore({ DomainProfile: NO_MERGE }, [ALLOW_SIP.replace('Action=Allow|', '')]));
    const report = auditWindows(file, '11', { profiles: ['domain'] }, IPV4_ONLY);
    assert.equal(result(report, 'edge-director-sip').status, 'denied');
    assert.deepEqual(
      report.warnings.map((w) => [w.line, w.message]),
      [[10, 'rule "SIP" has no Action=: Windows does not enforce such a rule']],
    );
  });
});

describe('GPO reports', () => {
  const FW = 'http://www.microsoft.com/GroupPolicy/Settings/WindowsFirewall';
  const gpo = (name: string, enabled: boolean, body: string): string =>
    `<GPO><Name>${name}</Name><Computer><Enabled>${enabled}</Enabled><ExtensionData><Extension xmlns:q1="${FW}" xsi:type="q1:WindowsFirewallSettings">${body}</Extension></ExtensionData></Computer></GPO>`;
  const report = (...gpos: string[]): string =>
    `<report xmlns="http://www.microsoft.com/GroupPolicy/Settings" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n${gpos.join('\n')}\n</report>`;
  const profile = (block: boolean): string =>
    `<q1:DomainProfile><q1:AllowLocalPolicyMerge><q1:Value>false</q1:Value></q1:AllowLocalPolicyMerge><q1:DefaultInboundAction><q1:Value>${block}</q1:Value></q1:DefaultInboundAction></q1:DomainProfile>`;
  const rule =
    '<q1:InboundFirewallRules><q1:Version>2.31</q1:Version><q1:Action>Allow</q1:Action><q1:Dir>In</q1:Dir><q1:Protocol>6</q1:Protocol><q1:LPort>5061</q1:LPort><q1:Active>true</q1:Active></q1:InboundFirewallRules>';

  it('merges the rules of several GPOs, and ignores a GPO whose computer settings are disabled', () => {
    const file = windowsFile('report.xml', report(gpo('Settings', true, profile(true)), gpo('Disabled', false, rule)), 'utf8');
    const audited = auditWindows(file, '11', { profiles: ['domain'] }, IPV4_ONLY);
    assert.equal(result(audited, 'edge-director-sip').status, 'denied');
    assert.deepEqual(
      audited.warnings.map((w) => [w.line, w.message]),
      [
        [
          3,
          'the computer settings of GPO Disabled are disabled (<Computer><Enabled>false): its 1 firewall rule and its profile settings do not apply',
        ],
        [
          2,
          "the Domain profile's EnableFirewall, DefaultOutboundAction are not set here: Windows' defaults are assumed (firewall on, inbound blocked, outbound allowed); the host's own setting may differ",
        ],
      ],
    );
    const both = windowsFile('report.xml', report(gpo('Settings', true, profile(true)), gpo('Rules', true, rule)), 'utf8');
    assert.equal(result(auditWindows(both, '11', { profiles: ['domain'] }, IPV4_ONLY), 'edge-director-sip').status, 'allowed');
  });

  it('refuses GPOs that set a profile setting differently: which applies depends on their links', () => {
    const file = windowsFile('report.xml', report(gpo('One', true, profile(true)), gpo('Two', true, profile(false))), 'utf8');
    // The firewall cannot be used: the report says why, at both GPOs' settings, and audits nothing of it.
    const audited = auditWindows(file, '11', { profiles: ['domain'] });
    assert.equal(audited.verdict, 'fail');
    assert.deepEqual(audited.results, []);
    const because = (name: string, value: string): string =>
      `${name} sets DefaultInboundAction of the Domain profile to ${value} and another GPO of this report sets it otherwise; which applies depends on their links: give the GPO that applies, or an RSoP report (gpresult /x)`;
    assert.deepEqual(
      audited.errors.map((e) => [path.basename(e.file), e.line, e.message]),
      [
        ['report.xml', 2, because('One', 'Block')],
        ['report.xml', 3, because('Two', 'Allow')],
      ],
    );
  });
});

describe('shadowed rules speak of precedence, once per profile', () => {
  const allowAll = 'v2.31|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5061|Name=SIP from anyone|';
  const blockAll = 'v2.31|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=5061|Name=Block SIP|';

  it('an allow rule a block rule covers is shadowed by that block rule alone, not by an allow rule before it', () => {
    const profiles = { DomainProfile: NO_MERGE, PrivateProfile: NO_MERGE, PublicProfile: NO_MERGE };
    const file = windowsFile('policy.reg', policyStore(profiles, [allowAll, blockAll, ALLOW_SIP]));
    const report = auditWindows(file, '11', {}, IPV4_ONLY);
    const shadowed = report.findings.filter((f) => f.kind === 'shadowed');
    const rows = shadowed.map((f) => [f.variant, f.rule?.line, f.message]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    const lineOf = (rule: string): number => 22 + [allowAll, blockAll, ALLOW_SIP].indexOf(rule);
    const covered = (rule: string): string =>
      `rule at line ${lineOf(rule)} can never match: every packet it could match is decided by rules that take precedence over it (line ${lineOf(blockAll)})`;
    assert.deepEqual(
      rows,
      ['domain', 'private', 'public'].flatMap((variant) => [
        [variant, lineOf(allowAll), covered(allowAll)],
        [variant, lineOf(ALLOW_SIP), covered(ALLOW_SIP)],
      ]),
    );
  });

  it('a rule outranked by many is told by the first five of them, and that there are more', () => {
    const profiles = { DomainProfile: NO_MERGE, PrivateProfile: NO_MERGE, PublicProfile: NO_MERGE };
    // Block rules on another port come first and between them: the rules that outrank it are found
    // past those, five in one part of the chain and two far after them (the two say there are more).
    const web = (from: number, count: number): string[] =>
      Array.from({ length: count }, (_, i) => `v2.31|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=80|Name=Block web ${from + i}|`);
    const perimeter = Array.from({ length: 7 }, (_, i) =>
      BLOCK_PERIMETER.replace('Name=Block the perimeter', `Name=Block the perimeter ${i}`),
    );
    const rules = [...web(0, 100), ...perimeter.slice(0, 5), ...web(100, 100), ...perimeter.slice(5), ALLOW_SIP];
    const report = auditWindows(windowsFile('policy.reg', policyStore(profiles, rules)), '11', { profiles: ['domain'] }, IPV4_ONLY);
    const lineOf = (rule: string): number => 22 + rules.indexOf(rule);
    const first = perimeter.slice(0, 5).map(lineOf);
    assert.deepEqual(
      // (The block rules after the first of each kind are shadowed too, by rules of their own rank.)
      report.findings.filter((f) => f.kind === 'shadowed' && f.rule?.line === lineOf(ALLOW_SIP)).map((f) => [f.rule?.line, f.message]),
      [
        [
          lineOf(ALLOW_SIP),
          `rule at line ${lineOf(ALLOW_SIP)} can never match: every packet it could match is decided by rules that take precedence over it (lines ${first.join(', ')}, …)`,
        ],
      ],
    );
  });
});
