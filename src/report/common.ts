/** What several report formats say alike: counts, the verdict line, which findings fail the run. */
import {
  SEVERITY_RANK,
  type AuditReport,
  type ConfigWarning,
  type FileDigest,
  type Finding,
  type RequirementResult,
  type Severity,
  type WaiverStatus,
} from '../audit/types';
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
  const verdict = `${report.verdict === 'pass' ? 'PASS' : 'FAIL'} (fail on ${report.failOn}): ${counts.high} high, ${counts.medium} medium, ${counts.low} low; ${report.suppressed.length} suppressed`;
  return verdict + waiverNotice(report);
}

/** `; 1 waiver expired, 2 stale` when waivers need attention; nothing otherwise. */
export function waiverNotice(report: AuditReport): string {
  const expired = report.waivers.filter((w) => w.status === 'expired').length;
  const stale = report.waivers.filter((w) => w.status === 'stale').length;
  const parts = [expired > 0 ? `${expired} expired` : '', stale > 0 ? `${stale} stale` : ''].filter(Boolean);
  return parts.length === 0 ? '' : `; ${expired + stale === 1 ? 'waiver' : 'waivers'} ${parts.join(', ')}`;
}

/** What a waiver waives, in words: `kind extraneous, firewall core-gw`. */
export function waiverScope(w: WaiverStatus): string {
  return (['fingerprint', 'requirement', 'firewall', 'kind'] as const)
    .flatMap((key) => (w[key] === undefined ? [] : [`${key} ${w[key]}`]))
    .join(', ');
}

/** `applied to 3 findings`, `expired 2026-01-31 (2 findings count again)`, `stale: matches no finding`. */
export function waiverState(w: WaiverStatus): string {
  const findings = `${w.matches} finding${w.matches === 1 ? '' : 's'}`;
  if (w.status === 'expired') return `expired ${w.expires} (${w.matches > 0 ? `${findings} count again` : 'matches no finding'})`;
  return w.status === 'stale' ? 'stale: matches no finding' : `applied to ${findings}`;
}

/** The evidence as lines of `what  where  sha256`. */
export function evidenceLines(report: AuditReport): string[] {
  const e = report.evidence;
  const digest = (what: string, d: FileDigest): string => `${what}: ${d.file} (sha256 ${d.sha256}, ${d.bytes} bytes)`;
  return [
    `audited ${e.generatedAt} by fwmatrix ${report.tool.version}, failing on ${report.failOn}`,
    ...(e.deployment ? [digest('deployment', e.deployment)] : []),
    ...e.inputs.map((i) => digest(`${i.firewall} ${i.kind}`, i)),
    digest(`matrix ${report.matrix.id}${report.matrix.version ? ` ${report.matrix.version}` : ''}`, e.matrix),
    ...(e.waivers ? [digest('waivers', e.waivers)] : []),
    ...(e.baseline ? [digest('baseline', e.baseline)] : []),
  ];
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
