/** The example site's audit report, as the reporters get it, and edited copies of it. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { runCli } from '../helpers/cli';
import { FIXTURES_DIR } from '../helpers/paths';
import type { AuditReport, Finding } from '../../src/audit/types';

let example: Promise<AuditReport> | undefined;

/** A fresh copy of the example deployment's JSON report (the audit runs once per test file). */
export async function exampleReport(): Promise<AuditReport> {
  example ??= runCli(['audit', path.join(FIXTURES_DIR, 'example', 'fwmatrix.yml'), '--format', 'json']).then((run) => {
    assert.equal(run.code, 1, run.stderr);
    return JSON.parse(run.stdout) as AuditReport;
  });
  return structuredClone(await example);
}

/** The report's one finding of this kind about this firewall (and requirement, or rule line). */
export function findingOf(
  report: AuditReport,
  kind: Finding['kind'],
  firewall: string,
  where: { requirement?: string; line?: number },
): Finding {
  const matches = report.findings.filter(
    (f) =>
      f.kind === kind &&
      f.firewall === firewall &&
      (where.requirement === undefined || f.requirement === where.requirement) &&
      (where.line === undefined || f.rule?.line === where.line),
  );
  assert.equal(matches.length, 1, `expected one ${kind} finding on ${firewall} ${JSON.stringify(where)}`);
  return matches[0];
}

/** Moves a finding to `suppressed`, as a waiver would. */
export function suppress(report: AuditReport, finding: Finding, by: string): void {
  report.findings = report.findings.filter((f) => f !== finding);
  report.suppressed.push({ ...finding, suppressedBy: by });
}
