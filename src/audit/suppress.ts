/** Waivers and baselines: findings someone has accepted do not fail the run, but stay visible. */
import * as fs from 'node:fs';
import { InputError } from '../model/errors';
import type { Waiver } from '../deployment';
import type { Finding } from './types';

/** The fingerprints of an earlier JSON report's findings. */
export function readBaseline(file: string): Set<string> {
  let report: unknown;
  try {
    report = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError([{ location: { file }, message: `expected an fwmatrix JSON report (--format json): ${(e as Error).message}` }]);
  }
  const findings = (report as { findings?: unknown }).findings;
  if (!Array.isArray(findings))
    throw new InputError([{ location: { file, path: '/findings' }, message: 'expected an fwmatrix JSON report with a "findings" list' }]);
  return new Set(findings.map((f: { fingerprint?: unknown }) => f.fingerprint).filter((f): f is string => typeof f === 'string'));
}

function waiverCovers(waiver: Waiver, finding: Finding, today: string): boolean {
  if (waiver.expires !== undefined && waiver.expires < today) return false;
  return (
    (waiver.fingerprint === undefined || waiver.fingerprint === finding.fingerprint) &&
    (waiver.requirement === undefined || waiver.requirement === finding.requirement) &&
    (waiver.firewall === undefined || waiver.firewall === finding.firewall) &&
    (waiver.kind === undefined || waiver.kind === finding.kind)
  );
}

export function applySuppressions(
  findings: Finding[],
  waivers: Waiver[],
  baseline: Set<string>,
  now: Date,
): { active: Finding[]; suppressed: Finding[] } {
  const today = now.toISOString().slice(0, 10);
  const active: Finding[] = [];
  const suppressed: Finding[] = [];
  for (const finding of findings) {
    const waiver = waivers.find((w) => waiverCovers(w, finding, today));
    if (waiver)
      suppressed.push({
        ...finding,
        suppressedBy: `waiver (${waiver.location.file}${waiver.location.line ? `:${waiver.location.line}` : ''}): ${waiver.reason}`,
      });
    else if (baseline.has(finding.fingerprint)) suppressed.push({ ...finding, suppressedBy: 'baseline' });
    else active.push(finding);
  }
  return { active, suppressed };
}
