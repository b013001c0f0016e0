/**
 * The deployment's severity policy, as ESLint sets rule levels: a level per finding kind, then
 * overrides for the findings of a requirement, a firewall, a kind, a rule or a fingerprint, the
 * later winning. A finding turned `off` does not count but is not hidden: it joins the suppressed.
 */
import type { SeverityLevel, SeverityOverride, SeverityPolicy } from '../deployment';
import type { Finding } from './types';

function normalized(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function overrideMatches(o: SeverityOverride, f: Finding): boolean {
  return (
    (o.requirement === undefined || o.requirement === f.requirement) &&
    (o.firewall === undefined || o.firewall === f.firewall) &&
    (o.kind === undefined || o.kind === f.kind) &&
    (o.fingerprint === undefined || o.fingerprint === f.fingerprint) &&
    (o.rule === undefined || (f.rule !== null && normalized(o.rule) === normalized(f.rule.text)))
  );
}

export function applySeverityPolicy(findings: Finding[], policy: SeverityPolicy): { findings: Finding[]; off: Finding[] } {
  const kept: Finding[] = [];
  const off: Finding[] = [];
  for (const finding of findings) {
    let level: SeverityLevel = policy.kinds[finding.kind] ?? finding.severity;
    let by = `the severity of ${finding.kind} findings`;
    for (const o of policy.overrides) {
      if (!overrideMatches(o, finding)) continue;
      level = o.severity;
      by = `severity override (${o.location.file}${o.location.line ? `:${o.location.line}` : ''})`;
    }
    if (level === 'off') off.push({ ...finding, suppressedBy: `${by}: off` });
    else kept.push(level === finding.severity ? finding : { ...finding, severity: level });
  }
  return { findings: kept, off };
}
