/** What several report formats say alike: counts, the verdict line, which findings fail the run. */
import { SEVERITY_RANK, type AuditReport, type ConfigWarning, type Finding, type RequirementResult, type Severity } from '../audit/types';
import type { SourceRef } from '../model/policy';

/** Most severe first: the order reports list findings in. */
export const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low'];

/** Whether an active (not suppressed) finding makes the verdict fail, as the exit code does. */
export function failsRun(finding: Finding, failOn: AuditReport['failOn']): boolean {
  return failOn !== 'none' && SEVERITY_RANK[finding.severity] >= SEVERITY_RANK[failOn];
}

export function severityCounts(findings: Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { high: 0, medium: 0, low: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** The verdict with its counts, as the text report's last line says it (without colour). */
export function verdictSummary(report: AuditReport): string {
  const counts = severityCounts(report.findings);
  return `${report.verdict === 'pass' ? 'PASS' : 'FAIL'} (fail on ${report.failOn}): ${counts.high} high, ${counts.medium} medium, ${counts.low} low; ${report.suppressed.length} suppressed`;
}

/** The errata that some result cites: the notes a reader of this report needs. */
export function citedErrata(report: AuditReport): AuditReport['errata'] {
  const cited = new Set(report.results.flatMap((r) => r.errata.map((e) => e.id)));
  return report.errata.filter((e) => cited.has(e.id));
}

export function sourceLocation(ref: SourceRef): string {
  return `${ref.file}:${ref.line}`;
}

/** The findings (active or suppressed) about one requirement result. */
export function findingsOfResult(findings: Finding[], result: RequirementResult): Finding[] {
  return findings.filter((f) => f.firewall === result.firewall && f.variant === result.variant && f.requirement === result.requirement);
}

/** `file:line` (or `file`, with ` at path` for XML inputs) of a configuration warning. */
export function warningLocation(w: ConfigWarning): string {
  return `${w.file}${w.line !== undefined ? `:${w.line}` : ''}${w.path ? ` at ${w.path}` : ''}`;
}

/** A firewall as results and findings name it: with its variant (a Windows profile) when it has one. */
export function firewallLabel(entry: { firewall: string; variant?: string }): string {
  return entry.variant === undefined ? entry.firewall : `${entry.firewall} (${entry.variant})`;
}
