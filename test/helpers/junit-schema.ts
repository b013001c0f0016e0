/**
 * Jenkins' JUnit schema (xunit-plugin's junit-10.xsd, MIT; see test/report/schemas/SOURCES.md),
 * checked by libxml2's xmllint, which CI installs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from './paths';

const JUNIT_XSD = path.join(REPO_ROOT, 'test', 'report', 'schemas', 'junit-10.xsd');

/** xmllint's complaints about a JUnit document, or '' when the schema accepts it. */
export function jenkinsJunitErrors(xml: string): string {
  const run = spawnSync('xmllint', ['--noout', '--schema', JUNIT_XSD, '-'], { input: xml, encoding: 'utf8' });
  assert.ok(!run.error, `xmllint is needed (Debian: libxml2-utils): ${run.error?.message}`);
  return run.status === 0 ? '' : run.stderr;
}

export function assertJenkinsJunit(xml: string): void {
  assert.equal(jenkinsJunitErrors(xml), '', 'valid against Jenkins JUnit schema');
}
