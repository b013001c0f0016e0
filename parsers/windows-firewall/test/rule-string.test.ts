import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RULE_KEYS, parseRuleString } from '../src';
import { assertRuleError, parseRule } from './helpers';

/** The firewall rule message of MS-GPFAS 4.2, as the rule string itself (the registry doubles its backslashes). */
const GPFAS_EXAMPLE =
  'v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Public|LPort=RPC|RPort=49000|LA4=192.168.1.0/255.255.255.0|LA4=192.168.0.0/255.255.255.0|RA4=LocalSubnet|RA6=LocalSubnet|App=c:\\path\\foo.exe|Name=Firewall Rule Test|Security=Authenticate|Security2_9=An-NoEncap|';

const col = (text: string, needle: string): number => text.indexOf(needle) + 1;

describe('rule strings: the example of MS-GPFAS 4.2', () => {
  const { rule, warnings } = parseRule(GPFAS_EXAMPLE);

  it('reads every field, located at its column', () => {
    assert.deepEqual(warnings, []);
    assert.equal(rule.version, '2.10');
    assert.equal(rule.fields.length, 15);
    assert.deepEqual(rule.location, { line: 1, column: 1 });
    assert.deepEqual(rule.action, { key: 'Action', location: { line: 1, column: 7 }, value: 'Allow' });
    assert.equal(rule.active?.value, true);
    assert.equal(rule.dir?.value, 'In');
    assert.equal(rule.protocol?.value, 6);
    assert.deepEqual(
      rule.profile.map((p) => p.value),
      ['Public'],
    );
    assert.deepEqual(rule.lport, [
      { key: 'LPort', location: { line: 1, column: col(GPFAS_EXAMPLE, 'LPort=') }, kind: 'keyword', keyword: 'RPC' },
    ]);
    assert.deepEqual(rule.rport, [
      { key: 'RPort', location: { line: 1, column: col(GPFAS_EXAMPLE, 'RPort=') }, kind: 'range', first: 49000, last: 49000 },
    ]);
    assert.equal(rule.app?.value, 'c:\\path\\foo.exe');
    assert.equal(rule.name?.value, 'Firewall Rule Test');
    assert.equal(rule.security?.value, 'Authenticate');
    assert.equal(rule.security2_9?.value, 'An-NoEncap');
    assert.deepEqual(rule.unknown, []);
  });

  it('keeps the mask form of subnets with its prefix length, and address keywords by family', () => {
    assert.deepEqual(
      rule.la.map(({ key, family, ...rest }) => ({ key, family, ...rest, location: undefined })),
      [
        { key: 'LA4', family: 4, kind: 'subnet', address: '192.168.1.0', prefixLength: 24, mask: '255.255.255.0', location: undefined },
        { key: 'LA4', family: 4, kind: 'subnet', address: '192.168.0.0', prefixLength: 24, mask: '255.255.255.0', location: undefined },
      ],
    );
    assert.deepEqual(
      rule.ra.map((a) => [a.key, a.family, a.kind === 'keyword' ? a.keyword : '']),
      [
        ['RA4', 4, 'LocalSubnet'],
        ['RA6', 6, 'LocalSubnet'],
      ],
    );
  });
});

describe('rule strings: keys and values', () => {
  it('keeps repeated keys as lists in the order written', () => {
    const text =
      'v2.31|Action=Block|Active=TRUE|Dir=In|Protocol=17|Profile=Domain|Profile=Private|LPort2_10=1-66|LPort=68|LPort2_10=69-55554|RPort=53|RPort2_10=1000-2000|Name=UDP|';
    const { rule } = parseRule(text);
    assert.deepEqual(
      rule.profile.map((p) => p.value),
      ['Domain', 'Private'],
    );
    assert.deepEqual(
      rule.lport.map((p) => (p.kind === 'range' ? [p.key, p.first, p.last] : [])),
      [
        ['LPort2_10', 1, 66],
        ['LPort', 68, 68],
        ['LPort2_10', 69, 55554],
      ],
    );
    assert.deepEqual(
      rule.rport.map((p) => (p.kind === 'range' ? [p.key, p.first, p.last] : [])),
      [
        ['RPort', 53, 53],
        ['RPort2_10', 1000, 2000],
      ],
    );
  });

  it('reads keys and tokens without regard to case, and keeps Microsoft spelling of the tokens', () => {
    const { rule, warnings } = parseRule(
      'V2.31|action=allow|ACTIVE=true|dir=in|protocol=6|lport=rpc-epmap|ra4=localsubnet|ra42=intranet|ra62=INTERNET|pcross=TRUE|name=x|',
    );
    assert.deepEqual(warnings, []);
    assert.equal(rule.action?.value, 'Allow');
    assert.equal(rule.action?.key, 'action');
    assert.equal(rule.active?.value, true);
    assert.equal(rule.dir?.value, 'In');
    assert.deepEqual(rule.lport[0].kind === 'keyword' && rule.lport[0].keyword, 'RPC-EPMap');
    assert.deepEqual(
      rule.ra.map((a) => (a.kind === 'keyword' ? `${a.key}:${a.keyword}` : '')),
      ['ra4:LocalSubnet', 'ra42:IntrAnet', 'ra62:IntErnet'],
    );
    assert.equal(rule.pcross?.value, true);
  });

  it('reads IPv4 and IPv6 ranges, subnets and single addresses', () => {
    const text =
      'v2.31|Action=Allow|Dir=Out|LA4=192.0.2.1|LA4=192.0.2.10-192.0.2.20|RA4=198.51.100.0/24|LA6=2001:db8::1|RA6=2001:db8::-2001:db8::ffff|RA6=2001:db8:1::/48|RA6=::ffff:192.0.2.1|Name=n|';
    const { rule } = parseRule(text);
    const shape = (a: (typeof rule.la)[number]): string =>
      a.kind === 'range'
        ? `${a.family} ${a.first}..${a.last}`
        : a.kind === 'subnet'
          ? `${a.family} ${a.address}/${a.prefixLength}`
          : a.keyword;
    assert.deepEqual(rule.la.map(shape), ['4 192.0.2.1..192.0.2.1', '4 192.0.2.10..192.0.2.20', '6 2001:db8::1..2001:db8::1']);
    assert.deepEqual(rule.ra.map(shape), [
      '4 198.51.100.0/24',
      '6 2001:db8::..2001:db8::ffff',
      '6 2001:db8:1::/48',
      '6 ::ffff:192.0.2.1..::ffff:192.0.2.1',
    ]);
  });

  it('reads ICMP type:code lists, with * for any code', () => {
    const { rule } = parseRule('v2.20|Action=Allow|Active=TRUE|Dir=In|Protocol=1|ICMP4=3:4|ICMP4=8:*|Name=@FirewallAPI.dll,-25251|');
    assert.deepEqual(
      rule.icmp4.map((i) => [i.type, i.code]),
      [
        [3, 4],
        [8, null],
      ],
    );
    assert.equal(rule.name?.value, '@FirewallAPI.dll,-25251');
    const v6 = parseRule('v2.33|Action=Block|Active=TRUE|Dir=In|Protocol=58|ICMP6=134:*|RA6=fe80::/64|App=System|Name=n|').rule;
    assert.deepEqual(
      v6.icmp6.map((i) => [i.key, i.type, i.code]),
      [['ICMP6', 134, null]],
    );
  });

  it('reads the flags, program, authorization, platform and trust-tuple fields', () => {
    const text =
      'v2.33|Action=ByPass|Active=TRUE|Dir=In|Protocol=6|LPort=5061|RMAuth=O:LSD:(A;;CC;;;S-1-5-21-1)|RUAuth=O:LSD:(A;;CC;;;AU)|LUAuth=O:LSD:(A;;CC;;;S-1-5-84-0-0-0-0-0)|LUOwn=S-1-5-21-2|App=%SystemRoot%\\system32\\svchost.exe|Svc=*|AppPkgId=S-1-15-2-1|Edge=TRUE|Defer=App|LSM=FALSE|LOM=TRUE|AuthByPassOut=FALSE|Security=AuthenticateEncrypt|Security2=AnE-Nego|IF={6A0E3F3E-8E8D-4A1F-9A8C-0123456789AB}|IFType=Lan|IFType=Wireless|Platform=2:6:2|Platform2=GTEQ|SkipVer=2.40|TTK=Proximity|TTK2_22=WFDPrint|TTK2_27=UPnP|TTK2_28=WFDCDPSvc|NNm=abc|SecurityRealmId=S-1-5-3|EmbedCtxt=@FirewallAPI.dll,-25000|Desc=d|Name=n|';
    const { rule, warnings } = parseRule(text);
    assert.deepEqual(warnings, []);
    assert.equal(rule.action?.value, 'ByPass');
    assert.equal(rule.rmAuth?.value, 'O:LSD:(A;;CC;;;S-1-5-21-1)');
    assert.equal(rule.ruAuth?.value, 'O:LSD:(A;;CC;;;AU)');
    assert.equal(rule.luAuth?.value, 'O:LSD:(A;;CC;;;S-1-5-84-0-0-0-0-0)');
    assert.equal(rule.luOwn?.value, 'S-1-5-21-2');
    assert.equal(rule.svc?.value, '*');
    assert.equal(rule.appPkgId?.value, 'S-1-15-2-1');
    assert.deepEqual(
      [rule.edge?.value, rule.defer?.value, rule.lsm?.value, rule.lom?.value, rule.authByPassOut?.value],
      [true, 'App', false, true, false],
    );
    assert.deepEqual([rule.security?.value, rule.security2?.value], ['AuthenticateEncrypt', 'AnE-Nego']);
    assert.deepEqual(
      rule.if.map((i) => i.value),
      ['{6A0E3F3E-8E8D-4A1F-9A8C-0123456789AB}'],
    );
    assert.deepEqual(
      rule.ifType.map((i) => i.value),
      ['Lan', 'Wireless'],
    );
    assert.deepEqual(
      rule.platform.map((p) => [p.platform, p.major, p.minor]),
      [[2, 6, 2]],
    );
    assert.equal(rule.platform2?.value, 'GTEQ');
    assert.equal(rule.skipVer?.value, '2.40');
    assert.deepEqual(
      rule.ttk.map((t) => `${t.key}=${t.keyword}`),
      ['TTK=Proximity', 'TTK2_22=WFDPrint', 'TTK2_27=UPnP', 'TTK2_28=WFDCDPSvc'],
    );
    assert.deepEqual([rule.nnm?.value, rule.securityRealmId?.value, rule.desc?.value], ['abc', 'S-1-5-3', 'd']);
  });

  it('reads every port keyword under the keys that hold it', () => {
    const cases: [string, string, string][] = [
      ['In', 'LPort=Teredo', 'Teredo'],
      ['In', 'LPort2_10=IPHTTPSIn', 'IPHTTPSIn'],
      ['In', 'LPort2_10=IPTLSIn', 'IPTLSIn'],
      ['Out', 'RPort2_10=IPHTTPSOut', 'IPHTTPSOut'],
      ['Out', 'RPort2_10=CortanaOut', 'CortanaOut'],
      ['In', 'LPort2_20=Ply2Disc', 'Ply2Disc'],
      ['In', 'LPort2_20=DHCP', 'DHCP'],
      ['In', 'LPort2_24=mDNS', 'mDNS'],
      ['In', 'LPort2_24=TcpCDPSvc', 'TcpCDPSvc'],
    ];
    for (const [dir, field, keyword] of cases) {
      const { rule } = parseRule(`v2.33|Action=Allow|Active=TRUE|Dir=${dir}|Protocol=17|${field}|Name=n|`);
      const port = [...rule.lport, ...rule.rport][0];
      assert.equal(port.kind === 'keyword' ? port.keyword : undefined, keyword, field);
    }
  });

  it('keeps a key MS-GPFAS does not define, warned at its column; __proto__ and toString are ordinary unknown keys', () => {
    const text = 'v2.33|Action=Allow|Dir=In|Future2_40=xyz|__proto__=polluted|toString=1|constructor=c|Name=n|';
    const { rule, warnings } = parseRule(text);
    assert.deepEqual(
      rule.unknown.map((f) => [f.key, f.value, f.location.column]),
      [
        ['Future2_40', 'xyz', col(text, 'Future2_40')],
        ['__proto__', 'polluted', col(text, '__proto__')],
        ['toString', '1', col(text, 'toString')],
        ['constructor', 'c', col(text, 'constructor')],
      ],
    );
    assert.equal(warnings.length, 4);
    assert.match(warnings[0].message, /^Future2_40= is not a key of MS-GPFAS 2\.2\.2\.19/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(typeof rule.toString, 'function');
  });

  it('keeps an empty Name, Desc or EmbedCtxt with a warning', () => {
    const { rule, warnings } = parseRule('v2.10|Action=Allow|Dir=In|Name=|Desc=|');
    assert.equal(rule.name?.value, '');
    assert.deepEqual(
      warnings.map((w) => [w.location.column, w.message]),
      [
        [27, 'Name= is empty (MS-GPFAS: STR-VAL has at least one character)'],
        [33, 'Desc= is empty (MS-GPFAS: STR-VAL has at least one character)'],
      ],
    );
  });

  it('knows every key of MS-GPFAS 2.2.2.19', () => {
    assert.equal(RULE_KEYS.length, 50);
    assert.ok(RULE_KEYS.includes('LPort2_24'));
  });

  it('maps columns through a caller-supplied column function', () => {
    const warnings: never[] = [];
    const rule = parseRuleString('v2.31|Action=Allow|Dir=In|', { line: 9, columnOf: (offset) => 40 + offset, id: '{X}' }, warnings);
    assert.deepEqual(rule.location, { line: 9, column: 40 });
    assert.deepEqual(rule.dir?.location, { line: 9, column: 59 });
    assert.equal(rule.id, '{X}');
  });
});

describe('rule strings: what the grammar forbids, located', () => {
  it('refuses a string without its version or without the trailing |', () => {
    assertRuleError('BlockCortana|Action=Block|Active=TRUE|Dir=Out|', 1, /starting with its version, v<major>\.<minor>\|/);
    assertRuleError('Action=Allow|Dir=In|', 1, /starting with its version/);
    assertRuleError('v2.31', 1, /starting with its version/);
    assertRuleError('v2.31|Action=Allow|Dir=In', 26, /expected \| after the last field/);
    assertRuleError('v2.31|', 7, /at least one Key=Value\| field/);
  });

  it('refuses a version that is not MAJOR.MINOR of at most 255 each', () => {
    assertRuleError('v2|Action=Allow|', 1, /version as MAJOR\.MINOR/);
    assertRuleError('v2.256|Action=Allow|', 1, /version as MAJOR\.MINOR/);
    assertRuleError('v1000.1|Action=Allow|', 1, /version as MAJOR\.MINOR/);
  });

  it('refuses empty fields, fields without =, and keys that are not words', () => {
    assertRuleError('v2.31|Action=Allow||Dir=In|', 20, /Key=Value between two \|/);
    assertRuleError('v2.31|Action=Allow|Active|', 20, /expected Key=Value, not "Active"/);
    assertRuleError('v2.31|Action =Allow|', 7, /key of letters, digits and _/);
    assertRuleError('v2.31|=Allow|', 7, /key of letters, digits and _/);
  });

  it('refuses unknown tokens, naming what was expected', () => {
    assertRuleError('v2.31|Action=Permit|', 7, /expected Allow, Block or ByPass after Action=, not "Permit"/);
    assertRuleError('v2.31|Dir=Both|', 7, /expected In or Out after Dir=/);
    assertRuleError('v2.31|Action=Allow|Profile=Work|', 20, /expected Domain, Private or Public after Profile=/);
    assertRuleError('v2.31|Active=yes|', 7, /expected TRUE or FALSE after Active=/);
    assertRuleError('v2.31|IFType=Ethernet|', 7, /expected Lan, Wireless or RemoteAccess/);
    assertRuleError('v2.31|Security=Encrypt|', 7, /expected Authenticate or AuthenticateEncrypt/);
    assertRuleError('v2.31|TTK=WFDPrint|', 7, /expected Proximity or ProxSharing after TTK=/);
    assertRuleError('v2.31|Platform2=LT|', 7, /expected GTEQ/);
  });

  it('refuses keys that may appear once when they appear twice, pointing at both', () => {
    assertRuleError('v2.31|Action=Allow|Dir=In|Action=Block|', 27, /Action= may appear only once in a rule \(it is already at column 7\)/);
    assertRuleError('v2.31|Action=Allow|Name=a|Name=b|', 27, /Name= may appear only once/);
    assertRuleError('v2.31|Protocol=6|Protocol=17|', 18, /Protocol= may appear only once/);
  });

  it('refuses keys that need a later version', () => {
    assertRuleError(
      'v2.8|Action=Allow|Security=Authenticate|Security2_9=An-NoEncap|',
      41,
      /Security2_9= needs a rule version of at least 2\.9; this rule is v2\.8/,
    );
    assertRuleError('v2.9|Action=Allow|Security2=AnE-Nego|', 19, /Security2= needs a rule version of at least 2\.10/);
    assertRuleError('v2.9|Action=Allow|Dir=In|Defer=App|', 26, /Defer= needs a rule version of at least 2\.10/);
  });

  it('refuses port fields without Protocol=6 or 17 before them', () => {
    assertRuleError(
      'v2.31|Action=Allow|Dir=In|LPort=80|',
      27,
      /LPort= needs Protocol=6 or Protocol=17 \(TCP or UDP\) before it; the rule has no Protocol=/,
    );
    assertRuleError(
      'v2.31|Action=Allow|Dir=In|LPort=80|Protocol=6|',
      27,
      /LPort= needs Protocol=6 or Protocol=17 before it \(MS-GPFAS 2\.2\.2\.19\); Protocol= comes after/,
    );
    assertRuleError(
      'v2.31|Action=Allow|Dir=In|Protocol=1|RPort=80|',
      38,
      /RPort= needs Protocol=6 or Protocol=17 \(TCP or UDP\); the rule has Protocol=1/,
    );
    assertRuleError('v2.31|Action=Allow|Dir=In|Protocol=47|LPort2_10=1-2|', 39, /LPort2_10= needs Protocol=6/);
  });

  it('refuses ICMP fields without their ICMP protocol', () => {
    assertRuleError('v2.31|Action=Allow|Dir=In|Protocol=6|ICMP4=8:*|', 38, /ICMP4= needs Protocol=1 \(ICMP\); the rule has Protocol=6/);
    assertRuleError('v2.31|Action=Allow|Dir=In|Protocol=1|ICMP6=128:*|', 38, /ICMP6= needs Protocol=58 \(ICMPv6\)/);
    assertRuleError('v2.31|Action=Allow|Dir=In|ICMP4=8:*|', 27, /ICMP4= needs Protocol=1 \(ICMP\) before it; the rule has no Protocol=/);
  });

  it('refuses ports out of range, reversed ranges, and each key’s wrong form', () => {
    assertRuleError(
      'v2.31|Protocol=6|LPort=65536|',
      18,
      /expected a port 0-65535 or one of RPC, RPC-EPMap or Teredo after LPort=, not "65536"/,
    );
    assertRuleError('v2.31|Protocol=6|LPort2_10=90-80|', 18, /first port not above its last/);
    assertRuleError(
      'v2.31|Protocol=6|LPort2_10=80|',
      18,
      /a port range BEGIN-END or one of IPTLSIn or IPHTTPSIn after LPort2_10= \(a single port is written LPort=80\)/,
    );
    assertRuleError('v2.31|Protocol=6|LPort=80-90|', 18, /\(a range is written LPort2_10=80-90\)/);
    assertRuleError('v2.31|Protocol=6|RPort=RPC|', 18, /expected a port 0-65535 after RPort=, not "RPC"/);
    assertRuleError('v2.31|Protocol=6|LPort2_20=80|', 18, /expected one of Ply2Disc or DHCP after LPort2_20=/);
    assertRuleError('v2.31|Protocol=6|LPort=-1|', 18, /after LPort=, not "-1"/);
  });

  it('refuses a protocol above 255', () => {
    assertRuleError('v2.31|Protocol=256|', 7, /protocol number 0-255 after Protocol=, not "256"/);
    assertRuleError('v2.31|Protocol=tcp|', 7, /protocol number 0-255/);
  });

  it('refuses addresses the grammar does not describe', () => {
    assertRuleError(
      'v2.31|LA4=192.0.2.256|',
      7,
      /expected an IPv4 address, range a-b or subnet a\/len or a\/mask after LA4=, not "192\.0\.2\.256"/,
    );
    assertRuleError('v2.31|LA4=LocalSubnet|', 7, /expected an IPv4 address, range a-b or subnet a\/len or a\/mask after LA4=/);
    assertRuleError(
      'v2.31|RA4=2001:db8::1|',
      7,
      /expected an IPv4 address, range a-b or subnet a\/len or a\/mask, or one of LocalSubnet, DNS, DHCP, WINS or DefaultGateway after RA4=/,
    );
    assertRuleError('v2.31|RA6=192.0.2.1|', 7, /expected an IPv6 address/);
    assertRuleError('v2.31|RA4=192.0.2.0/33|', 7, /prefix length 0-32 or a contiguous mask after "192\.0\.2\.0\/" in RA4=, not "33"/);
    assertRuleError('v2.31|RA4=192.0.2.0/255.0.255.0|', 7, /contiguous mask/);
    assertRuleError('v2.31|RA6=2001:db8::/129|', 7, /prefix length 0-128/);
    assertRuleError('v2.31|RA4=192.0.2.9-192.0.2.1|', 7, /first address not above its last/);
    assertRuleError(
      'v2.31|RA42=192.0.2.1|',
      7,
      /expected one of IntrAnet, IntErnet, Ply2Renders, RmtIntrAnet or CaptivePortal after RA42=/,
    );
    assertRuleError('v2.31|RA6=2001:db8::1::2|', 7, /expected an IPv6 address/);
    assertRuleError('v2.31|RA6=fe80::1%3|', 7, /expected an IPv6 address/);
  });

  it('refuses bad ICMP, platform, interface, version and empty condition values', () => {
    assertRuleError('v2.31|Protocol=1|ICMP4=256:0|', 18, /TYPE:CODE \(each 0-255, CODE may be \*\) after ICMP4=, not "256:0"/);
    assertRuleError('v2.31|Protocol=1|ICMP4=8|', 18, /TYPE:CODE/);
    assertRuleError('v2.31|Platform=8:6:2|', 7, /PLATFORM:MAJOR:MINOR \(0-7, 0-255, 0-255\)/);
    assertRuleError('v2.31|IF=eth0|', 7, /interface GUID after IF=/);
    assertRuleError('v2.31|SkipVer=x|', 7, /version MAJOR\.MINOR after SkipVer=/);
    assertRuleError('v2.31|App=|', 7, /expected a value after App= \(MS-GPFAS: STR-VAL has at least one character\)/);
    assertRuleError('v2.31|RMAuth=|', 7, /expected a value after RMAuth=/);
  });
});
