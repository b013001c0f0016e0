/** Reports as evidence: the time, the files read with their digests, the matrix version; and waivers that lapsed, in every format. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES_DIR } from '../helpers/paths';
import { tempTree } from '../helpers/cli';
import { auditDeployment } from '../../src/app/audit';
import { displayPath } from '../../src/input';
import { renderReport, type ReportFormat } from '../../src/report';

const DEPLOYMENT = path.join(FIXTURES_DIR, 'example', 'fwmatrix.yml');
const NOW = new Date('2026-12-01T09:30:00.000Z');

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

const WAIVERS = [
  '- kind: shadowed', // line 1: applies to the example's one shadowed rule
  '  reason: kept for the next change window',
  '- kind: extraneous', // line 3: past its date
  '  firewall: core-gw',
  '  reason: RDP for the admins until the jump host exists',
  '  expires: 2026-11-30',
  '- firewall: edge-gw', // line 7: no such firewall
  '  reason: the old edge firewall',
  '',
].join('\n');

function audited() {
  const waivers = path.join(tempTree({ 'waivers.yml': WAIVERS }), 'waivers.yml');
  return { waivers, report: auditDeployment(DEPLOYMENT, { failOn: 'medium', waivers, now: NOW }) };
}

test('the evidence names the time, every file read with its SHA-256, the matrix version and the threshold', () => {
  const { waivers, report } = audited();
  const config = (name: string) => path.join(FIXTURES_DIR, 'example', 'configs', name);
  const digest = (file: string) => ({ file: displayPath(file), sha256: sha256(file), bytes: fs.statSync(file).size });
  assert.deepEqual(report.evidence, {
    generatedAt: '2026-12-01T09:30:00.000Z',
    deployment: digest(DEPLOYMENT),
    inputs: [
      { firewall: 'director01', kind: 'configuration', ...digest(config('director01.rules')) },
      { firewall: 'core-gw', kind: 'configuration', ...digest(config('core-gw.rules')) },
    ],
    matrix: digest(path.join(FIXTURES_DIR, '..', 'matrices', 'lync2013-director-single.json')),
    waivers: digest(waivers),
  });
  assert.deepEqual(report.matrix, { id: 'lync2013-director-single', title: 'Lync Server 2013: single Director', version: '1.0.0' });
  assert.equal(report.failOn, 'medium');
});

test('a waiver applies, one past its date no longer does, one that matches nothing is stale', () => {
  const { waivers, report } = audited();
  assert.deepEqual(
    report.waivers.map((w) => [w.line, w.status, w.matches]),
    [
      [1, 'applied', 1],
      [3, 'expired', 1],
      [7, 'stale', 0],
    ],
  );
  assert.equal(report.waivers[0].file, displayPath(waivers));
  // The expired waiver's finding counts again.
  assert.equal(report.findings.filter((f) => f.kind === 'extraneous' && f.firewall === 'core-gw').length, 1);
  assert.deepEqual(
    report.suppressed.map((f) => f.kind),
    ['shadowed'],
  );
});

test('every format shows the evidence and the lapsed waivers', () => {
  const { report } = audited();
  const rendered = Object.fromEntries(
    (['text', 'json', 'sarif', 'junit', 'markdown', 'html'] as ReportFormat[]).map((f) => [f, renderReport(report, f, { color: false })]),
  );
  const configDigest = sha256(path.join(FIXTURES_DIR, 'example', 'configs', 'core-gw.rules'));
  for (const [format, text] of Object.entries(rendered)) {
    assert.ok(text.includes(configDigest), `${format} has the configuration's digest`);
    assert.ok(text.includes('2026-12-01T09:30:00.000Z'), `${format} has the time`);
    assert.ok(text.includes('the old edge firewall'), `${format} shows the stale waiver`);
    assert.ok(text.includes('RDP for the admins'), `${format} shows the expired waiver`);
  }
  assert.match(rendered.text, /\nFAIL \(fail on medium\): 4 high, 9 medium, 2 low; 1 suppressed; waivers 1 expired, 1 stale\n$/);
  assert.match(
    rendered.text,
    /\n {2}expired 2026-11-30 \(1 finding count again\): firewall core-gw, kind extraneous \(.*waivers\.yml:3\): RDP/,
  );
  const sarif = JSON.parse(rendered.sarif);
  const run = sarif.runs[0];
  assert.equal(run.invocations[0].startTimeUtc, '2026-12-01T09:30:00.000Z');
  assert.deepEqual(
    run.invocations[0].toolExecutionNotifications.map((n: { message: { text: string } }) => n.message.text.split(':')[0]),
    ['waiver expired 2026-11-30 (1 finding count again)', 'waiver stale'],
  );
  assert.ok(
    run.artifacts.some(
      (a: { hashes: { 'sha-256': string }; roles: string[] }) => a.hashes['sha-256'] === configDigest && a.roles[0] === 'analysisTarget',
    ),
  );
  assert.match(rendered.junit, /<property name="fwmatrix\.matrix" value="lync2013-director-single 1\.0\.0"\/>/);
  assert.match(rendered.junit, /<testsuite name="waivers" tests="2" failures="0"/);
});
