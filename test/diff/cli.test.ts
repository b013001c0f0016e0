/** `fwmatrix diff` through the command line: options, output and exit code. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { runCli, tempTree } from '../helpers/cli';
import { FIXTURES_DIR } from '../helpers/paths';

test('diff on the example site: opening 4443 for the reverse proxy fixes a missing flow', async () => {
  const config = path.join(FIXTURES_DIR, 'example', 'configs', 'director01.rules');
  const fs = await import('node:fs');
  const after = fs
    .readFileSync(config, 'utf8')
    .replace('--dport 8080 -j ACCEPT\n', '--dport 8080 -j ACCEPT\n-A LYNC-IN -s 192.0.2.10/32 -p tcp -m tcp --dport 4443 -j ACCEPT\n');
  const dir = tempTree({ 'after.rules': after });
  const run = await runCli([
    'diff',
    config,
    path.join(dir, 'after.rules'),
    '--deployment',
    path.join(FIXTURES_DIR, 'example', 'fwmatrix.yml'),
    '--firewall',
    'director01',
    '--format',
    'json',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.deepEqual(
    report.changes.map((c: { kind: string; after: { rule: { line: number } } }) => [c.kind, c.after.rule.line]),
    [['newly-allowed', 15]],
  );
  assert.deepEqual(
    report.findings.fixed.map((f: { kind: string; requirement: string }) => [f.kind, f.requirement]),
    [['missing', 'rp-director-https']],
  );
  assert.equal(report.findings.introduced.length, 0);
  const bad = await runCli([
    'diff',
    config,
    path.join(dir, 'after.rules'),
    '--deployment',
    path.join(FIXTURES_DIR, 'example', 'fwmatrix.yml'),
  ]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--firewall: .*has 2 firewalls/);
});
