import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runCli, tempTree } from '../helpers/cli';
import { FIXTURES } from './helpers';

const PFSENSE = path.join(FIXTURES, 'lync-pfsense.xml');
const ROLES = [
  '--role',
  'director=198.51.100.11,198.51.100.12',
  '--role',
  'edge-internal=192.0.2.20',
  '--role',
  'front-end=198.51.100.21-198.51.100.23',
  '--role',
  'reverse-proxy-internal=192.0.2.10',
  '--role',
  'director-vip=192.0.2.50',
  '--role',
  'internal-clients=198.51.100.128/25',
  '--role',
  'any=192.0.2.0/24,198.51.100.0/24',
];

describe('fwmatrix on pfSense and OPNsense files', () => {
  it('audits a config.xml without a deployment file: its interfaces are its own', async () => {
    const run = await runCli([
      'audit',
      '--config',
      PFSENSE,
      '--matrix',
      'lync2013-director-hlb',
      ...ROLES,
      '--placement',
      'network',
      '--format',
      'json',
      '--fail-on',
      'none',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as {
      firewalls: { type: string; rules: number }[];
      results: { requirement: string; status: string }[];
    };
    assert.deepEqual(
      report.firewalls.map((f) => [f.type, f.rules]),
      [['pfsense', 12]],
    );
    assert.equal(report.results.find((r) => r.requirement === 'fe-edge-sip')?.status, 'denied');
  });

  it('still needs the networks of a configuration that names none', async () => {
    const dir = tempTree({ 'fw.rules': '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n' });
    const run = await runCli([
      'audit',
      '--config',
      path.join(dir, 'fw.rules'),
      '--matrix',
      'lync2013-director-hlb',
      ...ROLES,
      '--placement',
      'network',
    ]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /a network firewall needs the networks behind each interface \(NAME=NET\[,NET…\]\): its configuration names none/,
    );
  });

  it('traces a packet through both directions, naming the interface, the stage and the deciding rule', async () => {
    const run = await runCli([
      'trace',
      PFSENSE,
      '--from',
      '198.51.100.21',
      '--to',
      '192.0.2.20',
      '--proto',
      'tcp',
      '--dport',
      '5061',
      '--in',
      'lan',
      '--out',
      'opt1',
      '--format',
      'json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout) as {
      verdict: string;
      decidedBy: { line: number; path: string };
      steps: { chain: string; line: number; matched: boolean; action: string }[];
      packet: { chain: string };
    };
    assert.deepEqual(
      [out.verdict, out.decidedBy.line, out.decidedBy.path, out.packet.chain],
      ['drop', 271, '/pfsense/filter/rule[9]', 'forwarded'],
    );
    assert.deepEqual(
      out.steps.filter((s) => s.matched).map((s) => [s.chain, s.line, s.action]),
      [
        ['in', 241, 'accept'],
        ['out', 271, 'drop'],
      ],
    );
  });

  it('diffs two versions of a config.xml', async () => {
    const before = fs.readFileSync(PFSENSE, 'utf8');
    const dir = tempTree({
      'before.xml': before,
      'after.xml': before.replace('<tracker>1700000006</tracker>', '<tracker>1700000006</tracker><disabled/>'),
    });
    const run = await runCli([
      'diff',
      path.join(dir, 'before.xml'),
      path.join(dir, 'after.xml'),
      '--matrix',
      'lync2013-director-hlb',
      ...ROLES,
      '--placement',
      'network',
      '--format',
      'json',
    ]);
    const report = JSON.parse(run.stdout) as {
      changes: { kind: string; point: string; before: { rule: { line: number } | null }; after: { rule: { line: number } | null } }[];
    };
    assert.deepEqual(
      report.changes.map((c) => [c.kind, c.point, c.before.rule?.line, c.after.rule?.line]),
      // Scoped to where the firewall stands: the directors are behind it, not on it (no inbound change).
      [['newly-allowed', 'forwarded', 223, 207]],
    );
  });

  it('parses a config.xml into its rules, aliases, interfaces, NAT and warnings', async () => {
    const run = await runCli(['parse', PFSENSE]);
    assert.equal(run.code, 0, run.stderr);
    const model = JSON.parse(run.stdout) as {
      warnings: { location: { line: number; path: string }; message: string }[];
      interfaces: { name: string; networks: string[] }[];
      trees: {
        tree: {
          vendor: string;
          filterRules: { line: number; path: string; descr: { value: string } }[];
          aliases: { name: { value: string } }[];
          portForwards: unknown[];
        };
      }[];
    };
    const [{ tree }] = model.trees;
    assert.equal(tree.vendor, 'pfsense');
    assert.deepEqual([tree.filterRules.length, tree.aliases.length, tree.portForwards.length], [12, 9, 2]);
    assert.deepEqual(
      [tree.filterRules[8].line, tree.filterRules[8].path, tree.filterRules[8].descr.value],
      [271, '/pfsense/filter/rule[9]', 'Nothing from the Front End leaves into the DMZ on 5061'],
    );
    assert.deepEqual(
      model.interfaces.map((i) => i.name),
      ['wan', 'lan', 'opt1'],
    );
    assert.deepEqual(
      model.warnings.map((w) => [w.location.line, w.location.path]),
      [
        [256, '/pfsense/filter/rule[8]'],
        [320, '/pfsense/filter/rule[12]'],
      ],
    );
  });
});

describe('bad and hostile config.xml files exit 2 with the file, line and path', () => {
  const cases: [string, string, RegExp][] = [
    [
      'malformed.xml',
      '<?xml version="1.0"?>\n<pfsense>\n<filter>\n<rule><type>pass</rule>\n</filter>\n</pfsense>\n',
      /malformed\.xml:4:17: end tag <\/rule> where <\/type> \(opened at line 4, column 7\) was expected/,
    ],
    [
      'laughs.xml',
      '<?xml version="1.0"?>\n<!DOCTYPE pfsense [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<pfsense><filter><rule><descr>&b;</descr></rule></filter></pfsense>\n',
      /laughs\.xml:2:1: DOCTYPE with an internal subset/,
    ],
    [
      'external.xml',
      '<?xml version="1.0"?>\n<!DOCTYPE pfsense SYSTEM "file:///etc/passwd">\n<pfsense/>\n',
      /external\.xml:2:1: DOCTYPE naming an external file \(SYSTEM or PUBLIC\) is refused/,
    ],
    [
      'entity.xml',
      '<pfsense>\n<filter><rule><descr>&xxe;</descr></rule></filter>\n</pfsense>\n',
      /entity\.xml:2:22: undefined entity &xxe;/,
    ],
    [
      'repeated.xml',
      '<pfsense>\n<filter><rule>\n<interface>lan</interface>\n<interface>wan</interface>\n</rule></filter>\n</pfsense>\n',
      /repeated\.xml:4: at \/pfsense\/filter\/rule\/interface\[2\]: <interface> is repeated in <rule> \(first at line 3\) with different content/,
    ],
    [
      'protocol.xml',
      '<pfsense>\n<interfaces><lan><enable/><if>em1</if></lan></interfaces>\n<filter><rule><interface>lan</interface>\n<protocol>tcpx</protocol>\n<source><any/></source><destination><any/></destination></rule></filter>\n</pfsense>\n',
      /protocol\.xml:4: at \/pfsense\/filter\/rule\/protocol: protocol "tcpx"/,
    ],
    [
      'deep.xml',
      `<pfsense>${'<x>'.repeat(300)}${'</x>'.repeat(300)}</pfsense>\n`,
      /deep\.xml:1:\d+: <x> is nested 257 elements deep; expected at most 256/,
    ],
  ];
  for (const [name, text, expected] of cases) {
    it(name, async () => {
      const dir = tempTree({ [name]: text });
      const run = await runCli(['parse', '--type', 'pfsense', path.join(dir, name)]);
      assert.equal(run.code, 2, run.stdout);
      assert.match(run.stderr, expected);
      assert.doesNotMatch(run.stderr, /root:|at .*\.js:\d+/);
    });
  }

  it('a rule on an interface that does not exist is a warning, and the rest is audited', async () => {
    const dir = tempTree({
      'fw.xml':
        '<pfsense>\n<interfaces><lan><enable/><if>em1</if><ipaddr>192.0.2.1</ipaddr><subnet>24</subnet></lan></interfaces>\n<filter>\n<rule><interface>opt7</interface><source><any/></source><destination><any/></destination></rule>\n</filter>\n</pfsense>\n',
    });
    const run = await runCli(['parse', path.join(dir, 'fw.xml')]);
    assert.equal(run.code, 0, run.stderr);
    const model = JSON.parse(run.stdout) as { warnings: { location: { line: number }; message: string }[] };
    assert.deepEqual(
      model.warnings.map((w) => [w.location.line, w.message]),
      [[4, 'rule not loaded: its interface opt7 is not an enabled interface or an interface group']],
    );
  });

  it('a config.xml of more than 25,000 rules is read, and its last rule decides', async () => {
    const rule = (i: number): string =>
      `<rule><type>block</type><interface>lan</interface><protocol>tcp</protocol><source><network>lan</network></source><destination><address>198.51.100.${i % 250}</address><port>${(i % 60000) + 1024}</port></destination></rule>\n`;
    const parts = [
      '<?xml version="1.0"?>\n<pfsense>\n<interfaces><lan><enable/><if>em1</if><ipaddr>192.0.2.1</ipaddr><subnet>24</subnet></lan></interfaces>\n<filter>\n',
      ...Array.from({ length: 30_000 }, (_, i) => rule(i)),
      '<rule><type>pass</type><interface>lan</interface><protocol>tcp</protocol><source><network>lan</network></source><destination><any/><port>22</port></destination></rule>\n',
      '</filter>\n</pfsense>\n',
    ];
    const dir = tempTree({ 'many.xml': parts.join('') });
    const run = await runCli([
      'trace',
      path.join(dir, 'many.xml'),
      '--from',
      '192.0.2.5',
      '--to',
      '198.51.100.7',
      '--proto',
      'tcp',
      '--dport',
      '22',
      '--in',
      'lan',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^verdict: accept \(line 30005: pass in quick on lan inet proto tcp from lan net to any port 22\)$/m);
  });

  it('a 50 MB config.xml of more rules than fwmatrix reads is refused within seconds, where the limit is passed', async () => {
    const rule = (i: number): string =>
      `<rule><tracker>${i}</tracker><type>pass</type><interface>lan</interface><protocol>tcp</protocol><source><network>lan</network></source><destination><address>198.51.100.${i % 250}</address><port>${(i % 65000) + 1}</port></destination></rule>\n`;
    const parts = [
      '<?xml version="1.0"?>\n<pfsense>\n<interfaces><lan><enable/><if>em1</if><ipaddr>192.0.2.1</ipaddr><subnet>24</subnet></lan></interfaces>\n<filter>\n',
    ];
    let size = 0;
    for (let i = 0; size < 50 * 1024 * 1024; i++) {
      parts.push(rule(i));
      size += parts[parts.length - 1].length;
    }
    parts.push('</filter>\n</pfsense>\n');
    const dir = tempTree({ 'big.xml': parts.join('') });
    const started = Date.now();
    const run = await runCli([
      'trace',
      path.join(dir, 'big.xml'),
      '--from',
      '192.0.2.5',
      '--to',
      '198.51.100.7',
      '--proto',
      'tcp',
      '--in',
      'lan',
    ]);
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /big\.xml:200005: more than 200000 rules \(this is rule 200001\): fwmatrix reads configurations of up to 200000 rules/,
    );
  });

  it('a 50 MB config.xml of RRD data is audited', async () => {
    const data = Buffer.alloc(3 * 1024 * 1024, 7)
      .toString('base64')
      .replace(/(.{76})/g, '$1\n');
    const rrd = Array.from(
      { length: 13 },
      (_, i) => `<rrddatafile><filename>wan-traffic${i}.rrd</filename><xmldata>${data}</xmldata></rrddatafile>`,
    ).join('\n');
    const text = fs.readFileSync(PFSENSE, 'utf8').replace('</pfsense>', `<rrddata>\n${rrd}\n</rrddata>\n</pfsense>`);
    assert.ok(text.length > 50 * 1024 * 1024);
    const dir = tempTree({ 'rrd.xml': text });
    const started = Date.now();
    const run = await runCli([
      'audit',
      '--config',
      path.join(dir, 'rrd.xml'),
      '--matrix',
      'lync2013-director-hlb',
      ...ROLES,
      '--placement',
      'network',
      '--format',
      'json',
      '--fail-on',
      'none',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(Date.now() - started < 60_000, `took ${Date.now() - started} ms`);
    assert.equal((JSON.parse(run.stdout) as { results: unknown[] }).results.length, 14);
  });
});
