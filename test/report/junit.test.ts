/** The JUnit report: well-formed XML whose counts and failures say what the audit report says. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SEVERITY_RANK, type AuditReport } from '../../src/audit/types';
import { renderReport } from '../../src/report';
import { witnessText } from '../../src/report/text';
import { assertJenkinsJunit, jenkinsJunitErrors } from '../helpers/junit-schema';
import { exampleReport, findingOf, suppress } from './support';

interface Counts {
  name: string;
  tests: string;
  failures: string;
  errors: string;
  skipped: string;
}
interface TestCase {
  classname: string;
  name: string;
  failure?: { type: string; message: string; '#text': string };
  skipped?: { message: string };
  'system-out'?: string;
}
interface Suite extends Counts {
  testcase?: TestCase[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Values as written: no trimming, no numbers, character references decoded.
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  htmlEntities: true,
  isArray: (name) => name === 'testsuite' || name === 'testcase',
});

function junitOf(report: AuditReport): { totals: Counts; suites: Suite[]; xml: string } {
  const xml = renderReport(report, 'junit', { color: false });
  const valid = XMLValidator.validate(xml);
  assert.equal(valid, true, JSON.stringify(valid));
  assertJenkinsJunit(xml);
  const parsed = parser.parse(xml) as { testsuites: Counts & { testsuite: Suite[] } };
  return { totals: parsed.testsuites, suites: parsed.testsuites.testsuite, xml };
}

function suite(suites: Suite[], name: string): Suite {
  const found = suites.find((s) => s.name === name);
  assert.ok(found, `no test suite ${name}`);
  return found;
}

function testCase(s: Suite, name: string): TestCase {
  const found = (s.testcase ?? []).find((c) => c.name === name);
  assert.ok(found, `no test case ${name} in ${s.name}`);
  return found;
}

/** What the attributes must say, counted from the test cases themselves. */
function assertCountsMatchCases(s: Suite): void {
  const cases = s.testcase ?? [];
  assert.equal(Number(s.tests), cases.length, `${s.name}: tests`);
  assert.equal(Number(s.failures), cases.filter((c) => c.failure).length, `${s.name}: failures`);
  assert.equal(Number(s.skipped), cases.filter((c) => c.skipped).length, `${s.name}: skipped`);
  assert.equal(s.errors, '0');
}

test('a suite per firewall with a case per requirement result, and counts that add up', async () => {
  const report = await exampleReport();
  const { totals, suites } = junitOf(report);
  assert.deepEqual(
    suites.map((s) => s.name),
    [...report.firewalls.map((fw) => fw.name), 'findings'],
  );
  const failsRun = (firewall: string, requirement: string) =>
    report.findings.some(
      (f) => f.firewall === firewall && f.requirement === requirement && SEVERITY_RANK[f.severity] >= SEVERITY_RANK[report.failOn],
    );
  for (const fw of report.firewalls) {
    const s = suite(suites, fw.name);
    const results = report.results.filter((r) => r.firewall === fw.name);
    assert.deepEqual(
      (s.testcase ?? []).map((c) => [c.classname, c.name]),
      results.map((r) => [fw.name, r.requirement]),
    );
    assertCountsMatchCases(s);
    assert.equal(Number(s.skipped), results.filter((r) => r.status === 'not-applicable').length);
    assert.equal(Number(s.failures), results.filter((r) => failsRun(r.firewall, r.requirement)).length);
  }
  assert.equal(Number(suite(suites, 'director01').failures), 1);
  assert.equal(Number(suite(suites, 'core-gw').failures), 3);

  const findings = suite(suites, 'findings');
  const ruleFindings = report.findings.filter((f) => f.kind !== 'missing' && f.kind !== 'undetermined');
  assertCountsMatchCases(findings);
  assert.equal(Number(findings.tests), ruleFindings.length);
  assert.equal(Number(findings.failures), ruleFindings.filter((f) => f.severity !== 'low').length);
  const shadowed = findingOf(report, 'shadowed', 'core-gw', { line: 19 });
  const shadowedCase = (findings.testcase ?? []).find((c) => c['system-out']?.includes(shadowed.fingerprint));
  assert.ok(shadowedCase && !shadowedCase.failure, 'a low finding passes when failing on medium');
  assert.ok(shadowedCase['system-out']?.includes(shadowed.message));

  for (const key of ['tests', 'failures'] as const) {
    assert.equal(
      Number(totals[key]),
      suites.reduce((n, s) => n + Number(s[key]), 0),
      `total ${key}`,
    );
  }
  assert.equal(report.verdict, 'fail');
});

test('a denied flow fails with the missing finding and its witness; a partial one names what is undetermined too', async () => {
  const report = await exampleReport();
  const { suites } = junitOf(report);
  const missing = findingOf(report, 'missing', 'director01', { requirement: 'rp-director-https' });
  assert.ok(missing.witness);
  const denied = testCase(suite(suites, 'director01'), 'rp-director-https');
  assert.equal(denied.failure?.type, 'denied');
  assert.equal(denied.failure.message, missing.message);
  assert.ok(denied.failure['#text'].includes(`witness: ${witnessText(missing.witness)}`));

  const partial = testCase(suite(suites, 'core-gw'), 'cls-50001');
  assert.equal(partial.failure?.type, 'partial');
  assert.equal(partial.failure.message, findingOf(report, 'missing', 'core-gw', { requirement: 'cls-50001' }).message);
  assert.ok(partial.failure['#text'].includes(findingOf(report, 'undetermined', 'core-gw', { requirement: 'cls-50001' }).message));

  const notApplicable = testCase(suite(suites, 'director01'), 'fe-edge-sip');
  assert.deepEqual([notApplicable.failure, notApplicable.skipped?.message], [undefined, 'the flow does not cross this firewall']);
  assert.equal(testCase(suite(suites, 'director01'), 'rp-director-http').failure, undefined);
});

test('findings that do not fail the run (suppressed, or below --fail-on) pass and say why', async () => {
  const report = await exampleReport();
  const missing = findingOf(report, 'missing', 'director01', { requirement: 'rp-director-https' });
  suppress(report, missing, 'baseline');
  const director = suite(junitOf(report).suites, 'director01');
  assert.equal(director.failures, '0');
  const waived = testCase(director, 'rp-director-https');
  assert.equal(waived.failure, undefined);
  assert.ok(waived['system-out']?.includes('suppressed: baseline'));
  assert.ok(waived['system-out']?.includes(missing.message));

  report.failOn = 'none';
  report.verdict = 'pass';
  const { totals, suites } = junitOf(report);
  assert.equal(totals.failures, '0');
  assert.ok(testCase(suite(suites, 'core-gw'), 'cls-50001')['system-out']?.startsWith('partial: '));
});

test('quotes, markup, ampersands, newlines and control characters in rule text and messages are escaped', async () => {
  const report = await exampleReport();
  const finding = findingOf(report, 'extraneous', 'director01', { line: 20 });
  assert.ok(finding.rule);
  finding.rule.text = `-A MGMT -m comment --comment "<admin> & 'ops' ]]>\u0007\u001b\u0000" -j ACCEPT`;
  finding.message = `lets "any" in <b>&amp;</b>\n\tnext line`;
  const { suites, xml } = junitOf(report);

  // eslint-disable-next-line no-control-regex -- these are the characters XML cannot carry
  assert.doesNotMatch(xml, /[\x00-\x08\x0B\x0C\x0E-\x1F]/, 'XML 1.0 cannot carry C0 controls');
  const escaped = (suite(suites, 'findings').testcase ?? []).find((c) => c.failure?.['#text'].includes(finding.fingerprint));
  assert.ok(escaped?.failure);
  assert.equal(escaped.name, `extraneous at ${finding.rule.file}:20`);
  assert.equal(escaped.failure.message, finding.message);
  assert.ok(escaped.failure['#text'].includes(`--comment "<admin> & 'ops' ]]>\\u0007\\u001b\\u0000" -j ACCEPT`));
});

test('every suite is stamped with the audit time, and the schema check refuses what Jenkins would', async () => {
  const report = await exampleReport();
  const { suites, xml } = junitOf(report);
  const stamps = new Set(suites.map((s) => (s as Suite & { timestamp: string }).timestamp));
  assert.deepEqual([...stamps], [report.evidence.generatedAt.slice(0, 19)]);
  assert.match(jenkinsJunitErrors(xml.replace('<testsuites ', '<testsuites skipped="1" ')), /attribute 'skipped' is not allowed/);
  assert.match(jenkinsJunitErrors(xml.replace(/<testsuite name="[^"]*" tests="\d+"/, '<testsuite')), /'tests' is required/);
});
