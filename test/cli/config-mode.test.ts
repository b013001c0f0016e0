/** A configuration audited without a deployment file: where its firewall stands when --placement is not given. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli, tempTree } from '../helpers/cli';
import { FIXTURES_DIR, REPO_ROOT } from '../helpers/paths';

const ROLES = [
  ['reverse-proxy-internal', '192.0.2.10'],
  ['director', '198.51.100.11'],
  ['front-end', '198.51.100.21-198.51.100.23'],
  ['internal-clients', '198.51.100.128/25'],
  ['edge-internal', '192.0.2.20'],
].flatMap(([role, addresses]) => ['--role', `${role}=${addresses}`]);
const PFSENSE = path.join(FIXTURES_DIR, 'pfsense', 'lync-pfsense.xml');
const IPTABLES = path.join(FIXTURES_DIR, 'example', 'configs', 'director01.rules');

/** The JSON report without what differs from run to run. */
function stable(stdout: string): unknown {
  const report = JSON.parse(stdout);
  delete report.evidence.generatedAt;
  return report;
}

test('a pfSense configuration is a network firewall unless --placement says otherwise', async () => {
  const args = ['audit', '--config', PFSENSE, '--matrix', 'lync2013-director-single', ...ROLES, '-f', 'json'];
  const usual = await runCli(args);
  const network = await runCli([...args, '--placement', 'network']);
  assert.equal(usual.code, 1, usual.stderr);
  assert.equal(JSON.parse(usual.stdout).firewalls[0].placement, 'network');
  assert.deepEqual(stable(usual.stdout), stable(network.stdout));
  const host = await runCli([...args, '--placement', 'host']);
  assert.equal(host.code, 2);
  assert.match(host.stderr, /--host: a host firewall needs the addresses it protects/);
});

test('an iptables configuration is a host firewall unless --placement says otherwise', async () => {
  const args = ['audit', '--config', IPTABLES, '--matrix', 'lync2013-director-single', ...ROLES];
  const usual = await runCli(args);
  assert.equal(usual.code, 2);
  assert.match(usual.stderr, /--host: a host firewall needs the addresses it protects/);
  const host = await runCli([...args, '--host', '198.51.100.11', '-f', 'json']);
  assert.equal(JSON.parse(host.stdout).firewalls[0].placement, 'host');
});

test('a Windows report in UTF-16 is told from the start of the file: a host firewall by default', async () => {
  const gpo = path.join(REPO_ROOT, 'test', 'windows', 'fixtures', 'configs', 'director01-gpo.xml');
  const usual = await runCli(['audit', '--config', gpo, '--matrix', 'lync2013-director-single', ...ROLES]);
  assert.equal(usual.code, 2);
  assert.match(usual.stderr, /--host: a host firewall needs the addresses it protects/);
});

test('diff without a deployment places the firewall alike: a pfSense change is compared as the traffic it forwards', async () => {
  // The reverse proxy's rule to the Front End pool disabled.
  const original = fs.readFileSync(PFSENSE, 'utf8');
  const rule = original.lastIndexOf('<rule>', original.indexOf('Reverse proxy to the Front End pool'));
  const after = path.join(tempTree({ 'after.xml': `${original.slice(0, rule)}<rule><disabled/>${original.slice(rule + 6)}` }), 'after.xml');
  for (const extra of [[], ['--matrix', 'lync2013-director-single', ...ROLES]]) {
    const run = await runCli(['diff', PFSENSE, after, ...extra, '-f', 'json']);
    const changes = JSON.parse(run.stdout).changes;
    assert.deepEqual(
      changes.map((c: { kind: string; point: string; witness: { dst: string; in: string; out: string } }) => [
        c.kind,
        c.point,
        c.witness.dst,
        c.witness.in,
        c.witness.out,
      ]),
      [['newly-denied', 'forwarded', '198.51.100.21', 'opt1', 'lan']],
    );
  }
});
