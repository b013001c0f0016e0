/**
 * Firewalls audited in worker threads give the report of auditing them one after the other, byte
 * for byte, in every format: the same order, the same findings, a firewall whose configuration
 * cannot be read reported in its place.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { auditDeployment } from '../../src/app/audit';
import { auditDeploymentInParallel } from '../../src/app/parallel-audit';
import { renderReport, REPORT_FORMATS } from '../../src/report';
import { FIXTURES_DIR } from '../helpers/paths';
import { runCli, tempTree } from '../helpers/cli';
import { generate } from '../../bench/generate/shapes';

const EXAMPLE = path.join(FIXTURES_DIR, 'example');

/** A site of seven firewalls: the example's two, generated rule sets of several shapes, and one unreadable file. */
function site(): string {
  const head = fs.readFileSync(path.join(EXAMPLE, 'fwmatrix.yml'), 'utf8').split('firewalls:')[0]!;
  const host = (name: string, config: string): string =>
    `  - name: ${name}\n    config: ${config}\n    type: iptables\n    placement: host\n    host: [198.51.100.11]\n`;
  const files: Record<string, string> = {
    'director01.rules': fs.readFileSync(path.join(EXAMPLE, 'configs', 'director01.rules'), 'utf8'),
    'core-gw.rules': fs.readFileSync(path.join(EXAMPLE, 'configs', 'core-gw.rules'), 'utf8'),
    'broken.rules': '*filter\n-A NOWHERE -j ACCEPT\n',
  };
  for (const shape of ['shorewall', 'docker', 'tum', 'kube-proxy'] as const) files[`${shape}.rules`] = generate(shape, 300, 7).text;
  const firewalls = [
    host('director01', 'director01.rules'),
    host('shorewall', 'shorewall.rules'),
    host('broken', 'broken.rules'),
    host('docker', 'docker.rules'),
    `  - name: core-gw\n    config: core-gw.rules\n    type: iptables\n    placement: network\n    interfaces:\n      eth0: [192.0.2.0/24]\n      eth1: [198.51.100.0/24]\n      eth2: [203.0.113.0/24]\n`,
    host('tum', 'tum.rules'),
    host('kube-proxy', 'kube-proxy.rules'),
  ];
  files['site.yml'] = `${head}firewalls:\n${firewalls.join('')}`;
  return tempTree(files);
}

describe('parallel audit', () => {
  const NOW = new Date('2026-12-01T09:30:00.000Z');

  it('three workers give the sequential report, in every format', async () => {
    const dir = site();
    try {
      const file = path.join(dir, 'site.yml');
      const judge = { failOn: 'medium' as const, now: NOW };
      const sequential = auditDeployment(file, judge);
      const parallel = await auditDeploymentInParallel(file, judge, 3);
      assert.deepEqual(
        sequential.firewalls.map((f) => f.name),
        ['director01', 'shorewall', 'docker', 'core-gw', 'tum', 'kube-proxy'],
      );
      assert.deepEqual(
        sequential.errors.map((e) => e.firewall),
        ['broken'],
      );
      assert.ok(sequential.findings.length > 50, `${sequential.findings.length} findings`);
      for (const format of REPORT_FORMATS) {
        assert.equal(renderReport(parallel, format, { color: false }), renderReport(sequential, format, { color: false }), format);
      }
      const some = await auditDeploymentInParallel(file, { ...judge, firewalls: ['tum', 'director01'] }, 2);
      assert.deepEqual(
        some.firewalls.map((f) => f.name),
        ['director01', 'tum'],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fwmatrix audit --jobs 2 prints what --jobs 1 prints; --jobs 0 is an option error', async () => {
    const dir = site();
    try {
      const file = path.join(dir, 'site.yml');
      const one = await runCli(['audit', file, '--format', 'sarif', '--jobs', '1']);
      const two = await runCli(['audit', file, '--format', 'sarif', '--jobs', '2']);
      assert.equal(one.code, 2);
      assert.equal(two.code, one.code);
      // The evidence names the time of the run: the rest is the same.
      const timeless = (text: string): string => text.replace(/"\d{4}-\d\d-\d\dT[\d:.]+Z"/g, '"TIME"');
      assert.equal(timeless(two.stdout), timeless(one.stdout));
      assert.equal(two.stderr, one.stderr);
      const zero = await runCli(['audit', file, '--jobs', '0']);
      assert.equal(zero.code, 2);
      assert.match(zero.stderr, /--jobs: expected a whole number from 1, got "0"/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
