/** Unusable input exits 2 with the file, the line and what was expected; nothing exits 3. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { runCli, tempTree } from '../helpers/cli';
import { REAL_CONFIGS_DIR } from '../helpers/paths';

const RULES = [
  '*filter',
  ':INPUT DROP [0:0]',
  ':FORWARD DROP [0:0]',
  ':OUTPUT ACCEPT [0:0]',
  '-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT',
  'COMMIT',
  '',
].join('\n');
const ROLES = [
  '--role',
  'reverse-proxy-internal=192.0.2.10',
  '--role',
  'director=198.51.100.11',
  '--role',
  'front-end=198.51.100.21',
  '--role',
  'internal-clients=203.0.113.0/24',
  '--role',
  'edge-internal=192.0.2.20',
];

function auditArgs(config: string): string[] {
  return ['audit', '--config', config, '--matrix', 'lync2013-director-single', ...ROLES, '--host', '198.51.100.11'];
}

async function expectInputError(args: string[], pattern: RegExp): Promise<void> {
  const run = await runCli(args);
  assert.equal(run.code, 2, `exit code for ${args.join(' ')}: ${run.stderr}`);
  assert.match(run.stderr, pattern);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
}

test('a malformed iptables line names the file and the line', async () => {
  const dir = tempTree({ 'bad.rules': RULES.replace('-A INPUT -p tcp', '-A INPUT 1 -p tcp') });
  await expectInputError(auditArgs(path.join(dir, 'bad.rules')), /bad\.rules:5(:\d+)?: /);
  await expectInputError(
    ['trace', path.join(dir, 'bad.rules'), '--from', '192.0.2.1', '--to', '198.51.100.1', '--proto', 'tcp'],
    /bad\.rules:5/,
  );
});

test('a missing COMMIT, an unknown chain and an unknown protocol are errors at their lines', async () => {
  const dir = tempTree({
    'nocommit.rules': RULES.replace('COMMIT\n', ''),
    'chain.rules': RULES.replace('-A INPUT', '-A NOPE'),
    'proto.rules': RULES.replace('-p tcp -m tcp --dport 443', '-p nosuchproto'),
  });
  await expectInputError(auditArgs(path.join(dir, 'nocommit.rules')), /nocommit\.rules:\d+/);
  await expectInputError(auditArgs(path.join(dir, 'chain.rules')), /chain\.rules:5/);
  await expectInputError(auditArgs(path.join(dir, 'proto.rules')), /proto\.rules:5: unknown protocol "nosuchproto"/);
});

test('files that are missing, empty, binary or of an unknown format', async () => {
  const dir = tempTree({ 'empty.rules': '', 'binary.bin': '\u0000\u0001\u0002garbage', 'notes.txt': 'hello\n' });
  await expectInputError(auditArgs(path.join(dir, 'missing.rules')), /missing\.rules/);
  await expectInputError(auditArgs(path.join(dir, 'empty.rules')), /empty\.rules/);
  await expectInputError(auditArgs(path.join(dir, 'binary.bin')), /binary\.bin/);
  await expectInputError(['parse', path.join(dir, 'notes.txt')], /notes\.txt:1: cannot tell the configuration's format/);
  await expectInputError(['parse', path.join(dir, 'notes.txt'), '--type', 'nosuch'], /--type: expected one of iptables/);
});

test('bad options and roles', async () => {
  const dir = tempTree({ 'ok.rules': RULES });
  const config = path.join(dir, 'ok.rules');
  await expectInputError(['audit', '--config', config, '--matrix', 'nosuch-matrix', ...ROLES, '--host', '198.51.100.11'], /nosuch-matrix/);
  await expectInputError([...auditArgs(config), '--role', 'bogus-role=192.0.2.1'], /unknown role 'bogus-role'/);
  await expectInputError(['audit', '--config', config, '--matrix', 'lync2013-director-single', ...ROLES], /--host/);
  await expectInputError([...auditArgs(config), '--fail-on', 'critical'], /fail-on/);
  await expectInputError(
    [
      'audit',
      '--config',
      config,
      '--matrix',
      'lync2013-director-single',
      ...ROLES.slice(0, -2),
      '--role',
      'edge-internal=192.0.2.300',
      '--host',
      '198.51.100.11',
    ],
    /192\.0\.2\.300/,
  );
  await expectInputError(['no-such-command'], /unknown command/);
});

test('a bad probe line names the probes file and the line', async () => {
  const dir = tempTree({
    'ok.rules': RULES,
    'probes.jsonl': '{"from":"192.0.2.1","to":"198.51.100.1","proto":"tcp","dport":443}\n{"from":"192.0.2.1",\n',
  });
  await expectInputError(
    ['trace', path.join(dir, 'ok.rules'), '--probes', path.join(dir, 'probes.jsonl')],
    /probes\.jsonl:2: expected one JSON object per line/,
  );
  const bad = tempTree({ 'ok.rules': RULES, 'p.jsonl': '{"from":"192.0.2.1","to":"2001:db8::1","proto":"tcp"}\n' });
  await expectInputError(
    ['trace', path.join(bad, 'ok.rules'), '--probes', path.join(bad, 'p.jsonl')],
    /p\.jsonl:1: "from" and "to" must be of the same address family/,
  );
});

test('trace --probes answers one JSON line per probe, in order', async () => {
  const dir = tempTree({ 'ok.rules': RULES });
  const probes = [
    '{"from":"192.0.2.1","to":"198.51.100.1","proto":"tcp","dport":443,"in":"eth0","chain":"INPUT"}',
    '{"from":"192.0.2.1","to":"198.51.100.1","proto":"udp","dport":53}',
  ].join('\n');
  const run = await runCli(['trace', path.join(dir, 'ok.rules'), '--probes', '-'], probes);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    lines.map((l) => [l.verdict, l.decidedBy?.line ?? null]),
    [
      ['accept', 5],
      ['drop', null],
    ],
  );
  assert.deepEqual(lines[0].steps, [
    { chain: 'INPUT', table: 'filter', line: 5, text: '-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT', matched: true, action: 'accept' },
  ]);
});

test('no mutation of a real configuration makes fwmatrix crash (exit 3) or hang', async () => {
  const sources = fs
    .readdirSync(path.join(REAL_CONFIGS_DIR, 'iptables'))
    .map((f) => fs.readFileSync(path.join(REAL_CONFIGS_DIR, 'iptables', f), 'utf8'));
  const dir = tempTree({});
  const file = path.join(dir, 'mutated.rules');
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: sources.length - 1 }),
      fc.nat(),
      fc.nat(),
      fc.constantFrom('', '!', '-j', '--dport', '"', '-A INPUT', ':X - [0:0]', 'COMMIT', '-m tcp', '0/0', '::', '-g INPUT', '\\'),
      async (which, at, cut, insert) => {
        const lines = sources[which].split('\n');
        const index = at % lines.length;
        const line = lines[index];
        const position = cut % (line.length + 1);
        lines[index] = line.slice(0, position) + insert + line.slice(position + (cut % 3));
        fs.writeFileSync(file, lines.join('\n'));
        const run = await runCli(['trace', file, '--from', '192.0.2.1', '--to', '198.51.100.1', '--proto', 'tcp', '--dport', '80']);
        assert.ok([0, 2].includes(run.code), `exit ${run.code}: ${run.stderr}`);
      },
    ),
    { numRuns: 150 },
  );
});

test('validate: a valid deployment exits 0; a schema violation exits 2 with its line and path', async () => {
  const { FIXTURES_DIR } = await import('../helpers/paths');
  const ok = await runCli(['validate', path.join(FIXTURES_DIR, 'example', 'fwmatrix.yml')]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /a valid deployment file/);
  const dir = tempTree({
    'bad.yml':
      'matrix: lync2013-director-single\nroles:\n  director: [198.51.100.11]\nfirewalls:\n  - name: d1\n    config: d1.rules\n    placement: hosts\n',
  });
  await expectInputError(
    ['validate', path.join(dir, 'bad.yml')],
    /bad\.yml:7:\d+: at \/firewalls\/0\/placement: expected one of host, network/,
  );
});

test('an unwritable --output and a bad --type are input errors', async () => {
  const dir = tempTree({ 'ok.rules': RULES });
  await expectInputError(
    [...auditArgs(path.join(dir, 'ok.rules')), '--output', path.join(dir, 'no', 'such', 'dir', 'r.json')],
    /r\.json: cannot write the report: ENOENT/,
  );
  await expectInputError([...auditArgs(path.join(dir, 'ok.rules')), '--type', 'cisco'], /--type: expected one of iptables/);
});
