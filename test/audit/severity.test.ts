/** The deployment's severity policy: a level per kind, overrides by requirement, firewall, kind or rule text; off suppresses, visibly. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES_DIR } from '../helpers/paths';
import { tempTree } from '../helpers/cli';
import { auditDeployment } from '../../src/app/audit';

const EXAMPLE = path.join(FIXTURES_DIR, 'example');

function siteWith(policy: string): string {
  const dir = tempTree({
    'fwmatrix.yml': fs.readFileSync(path.join(EXAMPLE, 'fwmatrix.yml'), 'utf8') + policy,
    'configs/director01.rules': fs.readFileSync(path.join(EXAMPLE, 'configs', 'director01.rules'), 'utf8'),
    'configs/core-gw.rules': fs.readFileSync(path.join(EXAMPLE, 'configs', 'core-gw.rules'), 'utf8'),
  });
  return path.join(dir, 'fwmatrix.yml');
}

const POLICY = [
  'severities:',
  '  kinds:',
  '    extraneous: low',
  '    shadowed: off',
  '  overrides:',
  '    - { requirement: cls-50001, kind: missing, severity: medium }',
  '    - { firewall: core-gw, kind: overly-broad, severity: high }',
  '    - rule: \'-A MGMT  -m comment --comment "admin workstations" -j ACCEPT\'',
  '      severity: off',
  '',
].join('\n');

test('levels per kind, then overrides in order; off moves findings to the suppressed with the line that said so', () => {
  const file = siteWith(POLICY);
  const policyLine =
    fs.readFileSync(file, 'utf8').split('\n').indexOf('    - rule: \'-A MGMT  -m comment --comment "admin workstations" -j ACCEPT\'') + 1;
  const report = auditDeployment(file, { failOn: 'high' });
  const of = (kind: string, firewall: string, extra: (f: (typeof report.findings)[number]) => boolean = () => true) =>
    report.findings
      .filter((f) => f.kind === kind && f.firewall === firewall && extra(f))
      .map((f) => [f.requirement ?? f.rule?.line, f.severity]);
  assert.deepEqual(of('missing', 'core-gw'), [
    ['cls-50002', 'high'],
    ['cls-50003', 'high'],
    ['cls-50001', 'medium'],
  ]);
  assert.deepEqual(of('overly-broad', 'core-gw'), [
    [13, 'high'],
    [16, 'high'],
  ]);
  assert.deepEqual(of('extraneous', 'core-gw'), [[21, 'low']]);
  assert.deepEqual(
    report.suppressed.map((f) => [f.kind, f.rule?.line, f.suppressedBy]),
    [
      ['extraneous', 20, `severity override (${file}:${policyLine}): off`],
      ['shadowed', 19, 'the severity of shadowed findings: off'],
    ],
  );
  assert.equal(report.verdict, 'fail');
});

test('a bad level or kind in the policy is a located schema error', () => {
  assert.throws(
    () =>
      auditDeployment(siteWith('severities:\n  kinds:\n    extranous: low\n  overrides:\n    - { severity: critical }\n'), {
        failOn: 'high',
      }),
    (e: Error) =>
      /fwmatrix\.yml:\d+:\d+: at \/severities\/kinds\/extranous: invalid name 'extranous': expected a finding kind/.test(e.message) &&
      /at \/severities\/overrides\/0\/severity: expected a severity: high, medium, low, or off, got "critical"/.test(e.message),
  );
});
