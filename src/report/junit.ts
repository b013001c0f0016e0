/**
 * JUnit XML, for CI test views: a suite per firewall with a test case per requirement result, and
 * a suite "findings" for the findings about rules rather than requirements.
 *
 * A test case fails exactly when a finding in it fails the run (active, at or above --fail-on), so
 * the report has failures exactly when the verdict is "fail". Not-applicable flows are skipped.
 */
import type { AuditReport, ConfigWarning, Finding, RequirementResult, WaiverStatus } from '../audit/types';
import { failsRun, findingsOfResult, firewallLabel, sourceLocation, waiverScope, waiverState, warningLocation } from './common';
import { witnessText } from './text';

/**
 * Characters XML 1.0 cannot carry even as character references (C0 controls but tab, CR, LF;
 * U+FFFE, U+FFFF; lone surrogates): shown as \uXXXX text instead.
 */
const NOT_XML_CHARACTER =
  // eslint-disable-next-line no-control-regex -- these are the characters XML cannot carry
  /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function xmlText(text: string): string {
  return text
    .replace(NOT_XML_CHARACTER, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

/** Attribute values also keep their quotes and whitespace (a parser would normalise raw tabs and newlines to spaces). */
function xmlAttribute(text: string): string {
  return xmlText(text).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}

function attributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${xmlAttribute(String(value))}"`)
    .join('');
}

interface TestCase {
  classname: string;
  name: string;
  outcome: { kind: 'passed' } | { kind: 'skipped'; message: string } | { kind: 'failed'; type: string; message: string; details: string };
  /** What a passing or skipped case still has to say. */
  output: string;
}

function findingDetails(f: Finding): string {
  return [
    `${f.severity} ${f.kind}: ${f.message}`,
    ...(f.rule ? [`  rule ${sourceLocation(f.rule)}: ${f.rule.text}`] : []),
    ...(f.witness ? [`  witness: ${witnessText(f.witness)}`] : []),
    ...(f.errata?.length ? [`  errata: ${f.errata.map((e) => e.id).join(', ')}`] : []),
    ...(f.suppressedBy !== undefined ? [`  suppressed: ${f.suppressedBy}`] : []),
    `  fingerprint: ${f.fingerprint}`,
  ].join('\n');
}

function resultCase(result: RequirementResult, findings: Finding[], report: AuditReport): TestCase {
  const failing = findings.filter((f) => f.suppressedBy === undefined && failsRun(f, report.failOn));
  const summary = [
    `${result.status}${result.optional ? ' (optional)' : ''}: ${result.flow}`,
    ...result.decidedBy.map((ref) => `decided by ${sourceLocation(ref)}: ${ref.text}`),
    // The findings show their own witnesses; a result without findings (an optional flow) shows its own.
    ...(result.witness && !findings.some((f) => f.witness) ? [`witness: ${witnessText(result.witness)}`] : []),
    ...result.reasons,
  ].join('\n');
  const details = [summary, ...findings.map(findingDetails)].join('\n');
  const base = { classname: firewallLabel(result), name: result.requirement };
  if (failing.length > 0) {
    // The missing flow is the headline of a partial result, before what is undetermined about it.
    const headline = failing.find((f) => f.kind === 'missing') ?? failing[0];
    return { ...base, outcome: { kind: 'failed', type: result.status, message: headline.message, details }, output: '' };
  }
  if (result.status === 'not-applicable')
    return { ...base, outcome: { kind: 'skipped', message: result.reasons.join('; ') || 'not applicable' }, output: details };
  return { ...base, outcome: { kind: 'passed' }, output: details };
}

function findingCase(f: Finding, report: AuditReport): TestCase {
  const name = `${f.kind}${f.requirement ? ` ${f.requirement}` : ''}${f.rule ? ` at ${sourceLocation(f.rule)}` : ''}`;
  const base = { classname: firewallLabel(f), name };
  if (f.suppressedBy === undefined && failsRun(f, report.failOn))
    return { ...base, outcome: { kind: 'failed', type: f.kind, message: f.message, details: findingDetails(f) }, output: '' };
  return { ...base, outcome: { kind: 'passed' }, output: findingDetails(f) };
}

function waiverCase(w: WaiverStatus): TestCase {
  return {
    classname: 'waivers',
    name: `${w.status} waiver at ${w.file}${w.line ? `:${w.line}` : ''}`,
    outcome: { kind: 'passed' },
    output: `${waiverState(w)}: ${waiverScope(w)}: ${w.reason}`,
  };
}

/** A configuration that could not be used fails its firewall's audit. */
function errorCase(e: ConfigWarning): TestCase {
  return {
    classname: e.firewall,
    name: `configuration at ${warningLocation(e)}`,
    outcome: { kind: 'failed', type: 'input-error', message: e.message, details: `${warningLocation(e)}: ${e.message}` },
    output: '',
  };
}

/** A warning fails nothing: a passed case whose output says what was noticed. */
function warningCase(w: ConfigWarning): TestCase {
  return { classname: w.firewall, name: `warning at ${warningLocation(w)}`, outcome: { kind: 'passed' }, output: w.message };
}

/** The evidence as JUnit properties, which CI systems keep with the test results. */
function evidenceProperties(report: AuditReport): [string, string][] {
  const e = report.evidence;
  return [
    ['fwmatrix.version', report.tool.version],
    ['fwmatrix.generatedAt', e.generatedAt],
    ['fwmatrix.failOn', report.failOn],
    ['fwmatrix.matrix', `${report.matrix.id}${report.matrix.version ? ` ${report.matrix.version}` : ''}`],
    ['fwmatrix.matrix.sha256', e.matrix.sha256],
    ...(e.deployment
      ? ([
          ['fwmatrix.deployment', e.deployment.file],
          ['fwmatrix.deployment.sha256', e.deployment.sha256],
        ] as [string, string][])
      : []),
    ...e.inputs.map((i): [string, string] => [`fwmatrix.input.${i.firewall}.${i.kind}`, `${i.file} sha256:${i.sha256}`]),
    ...(e.waivers ? ([['fwmatrix.waivers.sha256', e.waivers.sha256]] as [string, string][]) : []),
    ...(e.baseline ? ([['fwmatrix.baseline.sha256', e.baseline.sha256]] as [string, string][]) : []),
  ];
}

function renderSuite(name: string, cases: TestCase[], properties: [string, string][], timestamp: string, lines: string[]): void {
  const failures = cases.filter((c) => c.outcome.kind === 'failed').length;
  const skipped = cases.filter((c) => c.outcome.kind === 'skipped').length;
  lines.push(`  <testsuite${attributes({ name, tests: cases.length, failures, errors: 0, skipped, timestamp })}>`);
  lines.push(
    '    <properties>',
    ...properties.map(([n, v]) => `      <property${attributes({ name: n, value: v })}/>`),
    '    </properties>',
  );
  for (const c of cases) {
    const open = `    <testcase${attributes({ classname: c.classname, name: c.name })}>`;
    const body: string[] = [];
    if (c.outcome.kind === 'failed')
      body.push(
        `      <failure${attributes({ type: c.outcome.type, message: c.outcome.message })}>${xmlText(c.outcome.details)}</failure>`,
      );
    if (c.outcome.kind === 'skipped') body.push(`      <skipped${attributes({ message: c.outcome.message })}/>`);
    if (c.output) body.push(`      <system-out>${xmlText(c.output)}</system-out>`);
    lines.push(open, ...body, '    </testcase>');
  }
  lines.push('  </testsuite>');
}

export function renderJunit(report: AuditReport): string {
  const everyFinding = [...report.findings, ...report.suppressed];
  const shownWithResult = new Set<Finding>();
  const suites = report.firewalls.map((fw) => ({
    name: fw.name,
    cases: report.results
      .filter((r) => r.firewall === fw.name)
      .map((r) => {
        const findings = findingsOfResult(everyFinding, r);
        for (const f of findings) shownWithResult.add(f);
        return resultCase(r, findings, report);
      }),
  }));
  suites.push({ name: 'findings', cases: everyFinding.filter((f) => !shownWithResult.has(f)).map((f) => findingCase(f, report)) });
  if (report.errors.length > 0) suites.push({ name: 'configurations not audited', cases: report.errors.map(errorCase) });
  if (report.warnings.length > 0) suites.push({ name: 'configuration warnings', cases: report.warnings.map(warningCase) });
  // An expired or stale waiver fails nothing, but a CI dashboard should show it.
  const lapsed = report.waivers.filter((w) => w.status !== 'applied');
  if (lapsed.length > 0) suites.push({ name: 'waivers', cases: lapsed.map(waiverCase) });

  const all = suites.flatMap((s) => s.cases);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(
    `<testsuites${attributes({
      name: `fwmatrix ${report.matrix.id}`,
      tests: all.length,
      failures: all.filter((c) => c.outcome.kind === 'failed').length,
      // No `skipped` here: Jenkins' JUnit schema allows it on each testsuite only.
      errors: 0,
    })}>`,
  );
  const properties = evidenceProperties(report);
  // Ant's form: UTC, to the second, without a zone designator (the evidence property has the exact time).
  const timestamp = report.evidence.generatedAt.slice(0, 19);
  for (const suite of suites) renderSuite(suite.name, suite.cases, properties, timestamp, lines);
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}
