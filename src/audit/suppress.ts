/** Waivers and baselines: findings someone has accepted do not fail the run, but stay visible. */
import * as fs from 'node:fs';
import { InputError } from '../model/errors';
import type { Waiver } from '../deployment';
import type { Finding } from './types';

/** The fingerprints of an earlier JSON report's findings. */
/** A baseline is an earlier report: far larger than any is refused rather than read (/dev/zero never ends). */
const MAX_BASELINE_BYTES = 256 * 1024 * 1024;

/** The file's text, refused past `limit` bytes: read in chunks, so that a file without an end stops too. */
function readLimited(file: string, limit: number): string {
  const fd = fs.openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(1024 * 1024);
      const read = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      total += read;
      if (total > limit) throw new Error(`the file is larger than ${limit / 1024 / 1024} MiB`);
      chunks.push(chunk.subarray(0, read));
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

export function readBaseline(file: string): Set<string> {
  let report: unknown;
  try {
    report = JSON.parse(readLimited(file, MAX_BASELINE_BYTES));
  } catch (e) {
    throw new InputError([{ location: { file }, message: `expected an fwmatrix JSON report (--format json): ${(e as Error).message}` }]);
  }
  const findings = typeof report === 'object' && report !== null ? (report as { findings?: unknown }).findings : undefined;
  if (!Array.isArray(findings))
    throw new InputError([{ location: { file, path: '/findings' }, message: 'expected an fwmatrix JSON report with a "findings" list' }]);
  const fingerprints = new Set<string>();
  findings.forEach((finding: unknown, i) => {
    const fingerprint = typeof finding === 'object' && finding !== null ? (finding as { fingerprint?: unknown }).fingerprint : undefined;
    if (typeof fingerprint !== 'string') {
      throw new InputError([
        { location: { file, path: `/findings/${i}` }, message: 'expected a finding object with a "fingerprint" string' },
      ]);
    }
    fingerprints.add(fingerprint);
  });
  return fingerprints;
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
