/** The command line in a pipeline: several reports a run, the console summary, firewall selection, a broken firewall, trace through a deployment, help, pipes, colour. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli, tempTree } from '../helpers/cli';
import { FIXTURES_DIR, REPO_ROOT } from '../helpers/paths';

const EXAMPLE = path.join(FIXTURES_DIR, 'example');
const DEPLOYMENT = path.join(EXAMPLE, 'fwmatrix.yml');
const BIN = path.join(REPO_ROOT, 'bin', 'fwmatrix.js');

test('several reports in one run, the text report on the console beside them', async () => {
  const dir = tempTree({});
  const [sarif, junit] = [path.join(dir, 'out.sarif'), path.join(dir, 'out.xml')];
  const run = await runCli(['audit', DEPLOYMENT, '--report', `sarif=${sarif}`, '--report', `junit=${junit}`]);
  assert.equal(run.code, 1);
  assert.match(run.stdout, /^fwmatrix .* — Lync Server 2013: single Director/);
  assert.match(run.stdout, /\nFAIL \(fail on medium\): 4 high, 9 medium, 3 low; 0 suppressed\n$/);
  assert.equal(JSON.parse(fs.readFileSync(sarif, 'utf8')).version, '2.1.0');
  assert.match(fs.readFileSync(junit, 'utf8'), /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites /);
  const bad = await runCli(['audit', DEPLOYMENT, '--report', 'pdf=x.pdf']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--report: expected FORMAT=FILE with FORMAT one of text, json, sarif, junit, markdown, html, got "pdf=x.pdf"/);
});

test('with -o the console still shows what was written and the verdict; -q only the verdict', async () => {
  const out = path.join(tempTree({}), 'report.json');
  const run = await runCli(['audit', DEPLOYMENT, '-f', 'json', '-o', out]);
  assert.equal(run.stdout, `wrote ${out}\nFAIL (fail on medium): 4 high, 9 medium, 3 low; 0 suppressed\n`);
  assert.equal(JSON.parse(fs.readFileSync(out, 'utf8')).verdict, 'fail');
  const quiet = await runCli(['audit', DEPLOYMENT, '-f', 'json', '-o', out, '-q']);
  assert.equal(quiet.stdout, 'FAIL (fail on medium): 4 high, 9 medium, 3 low; 0 suppressed\n');
});

test('--firewall audits the named firewalls only; an unknown name is an input error', async () => {
  const run = await runCli(['audit', DEPLOYMENT, '--firewall', 'core-gw', '-f', 'json']);
  const report = JSON.parse(run.stdout);
  assert.deepEqual([...new Set(report.results.map((r: { firewall: string }) => r.firewall))], ['core-gw']);
  assert.deepEqual(
    report.evidence.inputs.map((i: { firewall: string }) => i.firewall),
    ['core-gw'],
  );
  const unknown = await runCli(['audit', DEPLOYMENT, '--firewall', 'edge']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--firewall: no firewall 'edge' in .*fwmatrix\.yml; its firewalls: director01, core-gw/);
});

test('a firewall whose configuration cannot be used is reported, the others are audited, and the run exits 2', async () => {
  const dir = tempTree({
    'fwmatrix.yml': fs.readFileSync(DEPLOYMENT, 'utf8'),
    'configs/director01.rules': fs
      .readFileSync(path.join(EXAMPLE, 'configs', 'director01.rules'), 'utf8')
      .replace('-A INPUT -i lo -j ACCEPT', '-A INPUT -i lo -j'),
    'configs/core-gw.rules': fs.readFileSync(path.join(EXAMPLE, 'configs', 'core-gw.rules'), 'utf8'),
  });
  const run = await runCli(['audit', path.join(dir, 'fwmatrix.yml'), '-f', 'json']);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /director01\.rules:8(:\d+)?: .* \(firewall director01 was not audited\)\n$/);
  const report = JSON.parse(run.stdout);
  assert.deepEqual(
    report.errors.map((e: { firewall: string; line: number }) => [e.firewall, e.line]),
    [['director01', 8]],
  );
  assert.equal(report.results.length, 14);
  assert.ok(report.results.every((r: { firewall: string }) => r.firewall === 'core-gw'));
  assert.equal(report.verdict, 'fail');
});

test('audit without a file finds fwmatrix.yml, else fwmatrix.yaml', async () => {
  const dir = tempTree({
    'fwmatrix.yaml': fs.readFileSync(DEPLOYMENT, 'utf8'),
    'configs/director01.rules': fs.readFileSync(path.join(EXAMPLE, 'configs', 'director01.rules'), 'utf8'),
    'configs/core-gw.rules': fs.readFileSync(path.join(EXAMPLE, 'configs', 'core-gw.rules'), 'utf8'),
  });
  const run = spawnSync(process.execPath, [BIN, 'audit', '-q'], { cwd: dir, encoding: 'utf8' });
  assert.equal(run.stdout, 'FAIL (fail on medium): 4 high, 9 medium, 3 low; 0 suppressed\n', run.stderr);
  const none = spawnSync(process.execPath, [BIN, 'audit'], { cwd: tempTree({}), encoding: 'utf8' });
  assert.equal(none.status, 2);
  assert.match(none.stderr, /fwmatrix\.yml: no deployment file here/);
});

test('trace through a deployment: the host and routes decide the path; --expect sets the exit code', async () => {
  const forwarded = await runCli([
    'trace',
    '--deployment',
    DEPLOYMENT,
    '--firewall',
    'core-gw',
    '--from',
    '192.0.2.10',
    '--to',
    '198.51.100.11',
    '--proto',
    'tcp',
    '--dport',
    '4443',
    '-f',
    'json',
    '--expect',
    'accept',
  ]);
  assert.equal(forwarded.code, 0, forwarded.stderr);
  const result = JSON.parse(forwarded.stdout);
  assert.deepEqual(
    [result.packet.chain, result.packet.in, result.packet.out, result.verdict, result.decidedBy.line],
    ['FORWARD', 'eth0', 'eth1', 'accept', 14],
  );
  const host = await runCli([
    'trace',
    '--deployment',
    DEPLOYMENT,
    '--firewall',
    'director01',
    '--from',
    '192.0.2.10',
    '--to',
    '198.51.100.11',
    '--proto',
    'tcp',
    '--dport',
    '4443',
    '--expect',
    'accept',
  ]);
  assert.equal(host.code, 1);
  assert.match(
    host.stdout,
    /^INPUT: tcp 192\.0\.2\.10 -> 198\.51\.100\.11:4443\n[\s\S]*verdict: drop \(the INPUT chain's default policy\)\n$/,
  );
  const denied = await runCli([
    'trace',
    '--deployment',
    DEPLOYMENT,
    '--firewall',
    'director01',
    '--from',
    '192.0.2.10',
    '--to',
    '198.51.100.11',
    '--proto',
    'tcp',
    '--dport',
    '4443',
    '--expect',
    'deny',
  ]);
  assert.equal(denied.code, 0);
  const elsewhere = await runCli([
    'trace',
    '--deployment',
    DEPLOYMENT,
    '--firewall',
    'director01',
    '--from',
    '192.0.2.10',
    '--to',
    '203.0.113.5',
    '--proto',
    'tcp',
  ]);
  assert.equal(elsewhere.code, 2);
  assert.match(elsewhere.stderr, /neither comes from nor goes to director01's addresses/);
  const several = await runCli(['trace', '--deployment', DEPLOYMENT, '--from', '192.0.2.10', '--to', '198.51.100.11', '--proto', 'tcp']);
  assert.match(several.stderr, /has 2 firewalls \(director01, core-gw\): name the one to trace through with --firewall NAME/);
});

test('every command has examples and exit codes in its help', async () => {
  for (const command of ['audit', 'diff', 'trace', 'parse', 'validate', 'matrix']) {
    const run = await runCli([command, '--help']);
    assert.equal(run.code, 0, command);
    assert.match(run.stdout, /\nExamples:\n {2}\$ fwmatrix /, `${command} --help shows examples`);
    if (command !== 'matrix') assert.match(run.stdout, /Exit codes:?/, `${command} --help shows the exit codes`);
  }
});

test('a closed pipe ends the output quietly', () => {
  const out = execFileSync(
    '/bin/sh',
    [
      '-c',
      `"${process.execPath}" "${BIN}" parse "${path.join(FIXTURES_DIR, 'real', 'iptables', 'diekmann_sqrl_shorewall_akachan.rules')}" 2>&1 | head -c 1`,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(out, '{');
});

test('FORCE_COLOR colours the text report in a pipe; NO_COLOR and --no-color do not', () => {
  const run = (env: Record<string, string>, ...args: string[]) =>
    spawnSync(process.execPath, [BIN, 'audit', DEPLOYMENT, '-q', ...args], {
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '', NO_COLOR: '', ...env },
    }).stdout;
  const escape = '\u001b[';
  assert.ok(run({ FORCE_COLOR: '1' }).includes(escape));
  assert.ok(!run({ FORCE_COLOR: '1' }, '--no-color').includes(escape));
  assert.ok(!run({}).includes(escape));
  assert.ok(!run({ NO_COLOR: '1' }).includes(escape));
});
