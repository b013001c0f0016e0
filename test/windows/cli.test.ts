/** The commands on Windows Firewall exports: trace by class, parse, diff, real exports audited, bad input exit 2. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../helpers/cli';
import type { AuditReport } from '../../src/audit/types';
import type { DiffReport } from '../../src/audit/types';
import type { TraceOutput } from '../../src/engine/trace';
import { DIRECTOR01_GPO, DIRECTOR02_REG, REAL_WINDOWS, WINDOWS_FIXTURES, siteRoles, windowsFile } from './support';

async function trace(config: string, args: string[]): Promise<TraceOutput> {
  const run = await runCli(['trace', config, '--proto', 'tcp', '--profile', 'domain', '--format', 'json', ...args]);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as TraceOutput;
}

describe('trace: the rules a packet meets, by class', () => {
  it('a block rule decides before any allow rule', async () => {
    const t = await trace(DIRECTOR02_REG, [
      '--from',
      '203.0.113.7',
      '--to',
      '198.51.100.12',
      '--dport',
      '443',
      '--chain',
      'domain-inbound',
    ]);
    assert.equal(t.verdict, 'drop');
    assert.equal(t.decidedBy?.line, 17);
    assert.deepEqual(
      t.steps.map((s) => [s.group, s.line, s.matched, s.action]),
      [['block', 17, true, 'drop']],
    );
  });

  it('an allow rule decides after every block rule, and the default after every allow rule', async () => {
    const allowed = await trace(DIRECTOR02_REG, [
      '--from',
      '203.0.113.7',
      '--to',
      '198.51.100.12',
      '--dport',
      '80',
      '--chain',
      'domain-inbound',
    ]);
    assert.equal(allowed.verdict, 'accept');
    assert.deepEqual(
      allowed.steps.map((s) => [s.group, s.line, s.matched]),
      [
        ['block', 17, false],
        ['block', 19, false],
        ['allow', 16, true],
      ],
    );
    const dropped = await trace(DIRECTOR02_REG, [
      '--from',
      '192.0.2.10',
      '--to',
      '198.51.100.12',
      '--dport',
      '8080',
      '--chain',
      'domain-inbound',
    ]);
    assert.equal(dropped.verdict, 'drop');
    assert.equal(dropped.decidedBy, null);
    assert.equal(dropped.policy?.phrase, "the Domain profile's default inbound action (DefaultInboundAction = Block)");
    assert.deepEqual(dropped.steps.at(-1), {
      chain: 'Domain inbound',
      line: 8,
      text: 'DefaultInboundAction = Block',
      matched: true,
      action: 'policy drop',
      group: 'default',
    });
  });

  it('bypass rules come first, and the text trace names each class', async () => {
    const file = windowsFile(
      'bypass.rules',
      [
        'v2.31|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=5061|Name=Block SIP|',
        'v2.31|Action=ByPass|Active=TRUE|Dir=In|Protocol=6|LPort=5061|Security=Authenticate|RMAuth=O:LSD:(A;;CC;;;S-1-5-21-1)|Name=Authenticated SIP|',
      ].join('\n'),
    );
    const run = await runCli([
      'trace',
      file,
      '--from',
      '192.0.2.20',
      '--to',
      '198.51.100.11',
      '--proto',
      'tcp',
      '--dport',
      '5061',
      '--profile',
      'domain',
      '--chain',
      'domain-inbound',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.split('\n');
    assert.match(lines[1], /^ {2}Domain inbound \[bypass\] +2 {2}may match accept +v2\.31\|Action=ByPass/);
    assert.match(lines[2], /^ {2}Domain inbound \[block\] +1 {2}match +drop +v2\.31\|Action=Block/);
    assert.match(lines[3], /^verdict: undetermined/);
  });
});

describe('parse', () => {
  it('shows the rules, profiles, default actions and warnings', async () => {
    const run = await runCli(['parse', DIRECTOR01_GPO]);
    assert.equal(run.code, 0, run.stderr);
    const model = JSON.parse(run.stdout) as {
      type: string;
      warnings: { message: string }[];
      trees: {
        tree: {
          kind: string;
          policies: { rules: { name?: { value: string } }[]; profiles: { profile: string; defaultOutboundAction?: { value: string } }[] }[];
        };
      }[];
      programs: {
        family: number;
        rules: number;
        chains: { name: string; policy: { phrase: string }; rules: { line: number; group?: string }[] }[];
      }[];
    };
    assert.equal(model.type, 'windows-gpo');
    const [policy] = model.trees[0].tree.policies;
    assert.equal(model.trees[0].tree.kind, 'gpo');
    assert.equal(policy.rules.length, 10);
    assert.equal(policy.rules[7].name?.value, '@FirewallAPI.dll,-25019');
    assert.deepEqual(
      policy.profiles.map((p) => [p.profile, p.defaultOutboundAction?.value]),
      [
        ['DomainProfile', 'Block'],
        ['PrivateProfile', 'Allow'],
        ['PublicProfile', undefined],
      ],
    );
    const v4 = model.programs.find((p) => p.family === 4)!;
    assert.equal(v4.rules, 10);
    assert.deepEqual(
      v4.chains.map((c) => [c.name, c.policy.phrase]),
      [
        ['domain-inbound', "the Domain profile's default inbound action (DefaultInboundAction = Block)"],
        ['domain-outbound', "the Domain profile's default outbound action (DefaultOutboundAction = Block)"],
        ['private-inbound', "the Private profile's default inbound action (DefaultInboundAction = Block)"],
        ['private-outbound', "the Private profile's default outbound action (DefaultOutboundAction = Allow)"],
      ],
    );
    assert.deepEqual(
      v4.chains[0].rules.map((r) => [r.group, r.line]),
      [
        ['block', 67],
        ['allow', 54],
        ['allow', 89],
        ['allow', 102],
        ['allow', 125],
        ['allow', 137],
      ],
    );
    assert.equal(model.warnings.length, 2);
  });

  it('tells a Group Policy report by its namespace, whatever the prefix of its root and the quotes of its attribute', async () => {
    const gpo = fs.readFileSync(DIRECTOR01_GPO).subarray(2).toString('utf16le');
    const settings = 'xmlns="http://www.microsoft.com/GroupPolicy/Settings"';
    const variants = [
      gpo.replace(settings, "xmlns = 'http://www.microsoft.com/GroupPolicy/Settings'"),
      gpo
        .replace(settings, `${settings} xmlns:gp.x-1="http://www.microsoft.com/GroupPolicy/Settings"`)
        .replace('<GPO ', '<gp.x-1:GPO ')
        .replace('</GPO>', '</gp.x-1:GPO>'),
    ];
    for (const text of variants) {
      const run = await runCli(['parse', windowsFile('report.xml', text)]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal((JSON.parse(run.stdout) as { type: string }).type, 'windows-gpo');
    }
  });
});

describe('diff', () => {
  it('says which flows a change to the policy store lets in', async () => {
    const before = fs.readFileSync(DIRECTOR02_REG).subarray(2).toString('utf16le');
    const after = windowsFile('after.reg', before.replace(/^"\{3C5E2A10-0002[^\n]*\n/m, ''));
    const run = await runCli([
      'diff',
      DIRECTOR02_REG,
      after,
      '--deployment',
      path.join(WINDOWS_FIXTURES, 'director02.yml'),
      '--format',
      'json',
      '--fail-on',
      'none',
    ]);
    const report = JSON.parse(run.stdout) as DiffReport;
    assert.ok(report.changes.length > 0, run.stderr);
    assert.deepEqual(
      [...new Set(report.changes.map((c) => [c.kind, c.point, c.family, c.before.verdict, c.after.verdict].join(' ')))],
      ['newly-allowed domain-inbound 4 drop accept'],
    );
    assert.deepEqual(
      report.findings?.fixed.map((f) => [f.kind, f.requirement, f.rule?.line]),
      [['missing', 'clients-director-https', 17]],
    );
  });
});

describe('every real Windows export is audited, and its report counts every rule', () => {
  const real: [string, string, number][] = [
    ['gporeport_sn_domain_firewall_baseline.xml', 'windows-gpo', 93],
    ['rsop_win11_24h2_msft_baseline.xml', 'windows-gpo', 0],
    ['reg_policy_store_gsecurity.reg', 'windows-reg', 4],
  ];
  for (const [name, type, rules] of real) {
    it(name, async () => {
      const roles = Object.entries(siteRoles('11')).flatMap(([role, addresses]) => ['--role', `${role}=${addresses.join(',')}`]);
      const run = await runCli([
        'audit',
        '--config',
        path.join(REAL_WINDOWS, name),
        '--matrix',
        'lync2013-director-single',
        ...roles,
        '--host',
        '198.51.100.11,2001:db8:100::11',
        '--format',
        'json',
        '--fail-on',
        'none',
      ]);
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(run.stdout) as AuditReport;
      assert.deepEqual([report.firewalls[0].type, report.firewalls[0].rules], [type, rules]);
      assert.deepEqual([...new Set(report.results.map((r) => r.variant))], ['domain', 'private', 'public']);
      assert.equal(report.results.length, 3 * 14);
    });
  }
});

describe('bad input: exit 2, with the file, the line (or path) and what was expected', () => {
  const fail = async (file: string, pattern: RegExp, type?: string): Promise<void> => {
    const run = await runCli(['parse', file, ...(type ? ['--type', type] : [])]);
    assert.equal(run.code, 2, run.stdout);
    assert.match(run.stderr, pattern);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  };
  const gpo = fs.readFileSync(DIRECTOR01_GPO).subarray(2).toString('utf16le');

  it('malformed and truncated XML', async () => {
    await fail(
      windowsFile('bad.xml', gpo.replace('</q1:Name>', '</q1:Nam>')),
      /bad\.xml:57:46: end tag <\/q1:Nam> where <\/q1:Name> \(opened at line 57, column 11\) was expected \(XML malformed\)/,
    );
    await fail(windowsFile('cut.xml', gpo.slice(0, gpo.indexOf('<q1:Protocol>6'))), /cut\.xml:\d+:\d+: .*\(XML malformed\)/, 'windows-gpo');
  });

  it('an entity bomb and an external entity, refused without expanding or reading anything', async () => {
    const bomb = gpo
      .replace('<GPO ', '<!DOCTYPE GPO [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<GPO ')
      .replace('Lync Director firewall', '&b;');
    await fail(
      windowsFile('bomb.xml', bomb),
      /bomb\.xml:2:1: DOCTYPE with an internal subset .* is refused: declared entities are never expanded/,
      'windows-gpo',
    );
    const xxe = gpo.replace('<GPO ', '<!DOCTYPE GPO SYSTEM "file:///etc/passwd">\n<GPO ');
    await fail(windowsFile('xxe.xml', xxe), /xxe\.xml:2:1: DOCTYPE naming an external file \(SYSTEM or PUBLIC\) is refused/, 'windows-gpo');
  });

  it('a Windows Firewall extension in another namespace', async () => {
    const wrong = gpo.replace(
      'xmlns:q1="http://www.microsoft.com/GroupPolicy/Settings/WindowsFirewall"',
      'xmlns:q1="http://example.com/WindowsFirewall"',
    );
    await fail(
      windowsFile('ns.xml', wrong),
      /ns\.xml:18:7: at \/GPO\/Computer\/ExtensionData\[1\]\/Extension: expected the Windows Firewall extension in the namespace http:\/\/www\.microsoft\.com\/GroupPolicy\/Settings\/WindowsFirewall, not http:\/\/example\.com\/WindowsFirewall/,
    );
  });

  it('an unknown keyword, at its element or column', async () => {
    await fail(
      windowsFile('keyword.xml', gpo.replace('<q1:RA42>IntrAnet</q1:RA42>', '<q1:RA42>Intranets</q1:RA42>')),
      /keyword\.xml:108:11: at \/GPO\/Computer\/ExtensionData\[1\]\/Extension\/q1:InboundFirewallRules\[5\]\/q1:RA42: expected one of IntrAnet, IntErnet, Ply2Renders, RmtIntrAnet or CaptivePortal after RA42=, not "Intranets"/,
    );
    const reg = fs.readFileSync(DIRECTOR02_REG).subarray(2).toString('utf16le').replace('LPort=80|', 'LPort=HTTP|');
    await fail(
      windowsFile('keyword.reg', reg),
      /keyword\.reg:16:107: expected a port 0-65535 or one of RPC, RPC-EPMap or Teredo after LPort=, not "HTTP"/,
    );
  });

  it('a report without Windows Firewall settings', async () => {
    const none =
      '<GPO xmlns="http://www.microsoft.com/GroupPolicy/Settings"><Name>x</Name><Computer><Enabled>true</Enabled></Computer></GPO>';
    await fail(
      windowsFile('none.xml', none, 'utf8'),
      /none\.xml:1: expected a Windows Firewall extension \(namespace http:\/\/www\.microsoft\.com\/GroupPolicy\/Settings\/WindowsFirewall\); this file has none/,
    );
  });

  it('exports that cannot be read say what to export instead', async () => {
    const wfw = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fwmatrix-wfw-')), 'firewall.wfw');
    fs.writeFileSync(wfw, Buffer.concat([Buffer.from('regf'), Buffer.alloc(4092, 1)]));
    await fail(
      wfw,
      /firewall\.wfw:1: this is a binary registry hive \(what netsh advfirewall export writes as a \.wfw file\), which cannot be read as text: export the policy as XML with Get-GPOReport -ReportType Xml/,
    );
    const html = windowsFile(
      'report.html',
      '<html><head><title>Group Policy report</title></head><body>GPO: Lync Director firewall</body></html>',
    );
    await fail(html, /report\.html:1: this is an HTML report; fwmatrix reads Group Policy reports as XML/);
  });
});

describe("trace through a deployment's Windows firewall", () => {
  it('follows a packet the host sends through its outbound rules, in the deployment’s profile', async () => {
    const run = await runCli([
      'trace',
      '--deployment',
      path.join(WINDOWS_FIXTURES, 'director01.yml'),
      '--from',
      '198.51.100.11',
      '--to',
      '192.0.2.20',
      '--proto',
      'tcp',
      '--dport',
      '5061',
      '--format',
      'json',
      '--expect',
      'accept',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const t = JSON.parse(run.stdout) as TraceOutput;
    assert.deepEqual([t.packet.chain, t.verdict, t.decidedBy?.line], ['domain-outbound', 'accept', 160]);
  });
});

describe('encodings', () => {
  it('reads an export that lost its byte-order mark, or is UTF-16BE, as the UTF-16LE original', async () => {
    const original = fs.readFileSync(DIRECTOR02_REG);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwmatrix-encodings-'));
    const noMark = path.join(dir, 'no-mark.reg');
    const bigEndian = path.join(dir, 'big-endian.reg');
    fs.writeFileSync(noMark, original.subarray(2));
    fs.writeFileSync(bigEndian, Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(original.subarray(2)).swap16()]));
    const rules = async (file: string): Promise<unknown> =>
      (JSON.parse((await runCli(['parse', file])).stdout) as { programs: { chains: unknown }[] }).programs[0].chains;
    const expected = await rules(DIRECTOR02_REG);
    assert.deepEqual(
      await rules(noMark),
      JSON.parse(JSON.stringify(expected).replaceAll(DIRECTOR02_REG.replace(/\\/g, '\\\\'), noMark.replace(/\\/g, '\\\\'))),
    );
    assert.deepEqual(
      await rules(bigEndian),
      JSON.parse(JSON.stringify(expected).replaceAll(DIRECTOR02_REG.replace(/\\/g, '\\\\'), bigEndian.replace(/\\/g, '\\\\'))),
    );
  });
});
