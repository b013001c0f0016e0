/**
 * Waivers and baselines: findings someone has accepted do not fail the run, but stay visible. A
 * waiver past its date no longer applies, and one that matches nothing is stale: both are
 * reported, so that accepted risk does not outlive its reason unseen.
 */
import * as fs from 'node:fs';
import { InputError } from '../model/errors';
import type { Waiver } from './waivers';
import type { Finding, WaiverStatus } from './types';

/** A baseline is an earlier report; a million-rule audit's stays well below this. */
const MAX_BASELINE_BYTES = 512 * 1024 * 1024;

/** The fingerprints of an earlier JSON report's findings. */
export function readBaseline(file: string): Set<string> {
  let report: unknown;
  try {
    report = JSON.parse(readBounded(file));
  } catch (e) {
    if (e instanceof InputError) throw e;
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

function readBounded(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    const chunk = Buffer.alloc(1 << 20);
    for (let n = fs.readSync(fd, chunk); n > 0; n = fs.readSync(fd, chunk)) {
      // A JSON report starts with '{': anything else (a device of zeros, a binary file) is refused at once.
      if (total === 0 && !/^\s*(\uFEFF)?\s*\{/.test(chunk.subarray(0, Math.min(n, 64)).toString('utf8'))) {
        throw new InputError([{ location: { file }, message: 'expected an fwmatrix JSON report (--format json), which starts with {' }]);
      }
      total += n;
      if (total > MAX_BASELINE_BYTES)
        throw new InputError([
          { location: { file }, message: `larger than ${MAX_BASELINE_BYTES / 1024 / 1024} MiB: not an fwmatrix report` },
        ]);
      chunks.push(Buffer.from(chunk.subarray(0, n)));
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

function matches(waiver: Waiver, finding: Finding): boolean {
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
): { active: Finding[]; suppressed: Finding[]; waivers: WaiverStatus[] } {
  const today = now.toISOString().slice(0, 10);
  const expired = (w: Waiver): boolean => w.expires !== undefined && w.expires < today;
  const matched = new Map<Waiver, number>(waivers.map((w) => [w, 0]));
  const active: Finding[] = [];
  const suppressed: Finding[] = [];
  for (const finding of findings) {
    const covering = waivers.filter((w) => matches(w, finding));
    for (const w of covering) matched.set(w, matched.get(w)! + 1);
    const waiver = covering.find((w) => !expired(w));
    if (waiver) suppressed.push({ ...finding, suppressedBy: `waiver (${where(waiver)}): ${waiver.reason}` });
    else if (baseline.has(finding.fingerprint)) suppressed.push({ ...finding, suppressedBy: 'baseline' });
    else active.push(finding);
  }
  return { active, suppressed, waivers: waivers.map((w) => waiverStatus(w, matched.get(w)!, expired(w))) };
}

function where(waiver: Waiver): string {
  return `${waiver.location.file}${waiver.location.line ? `:${waiver.location.line}` : ''}`;
}

function waiverStatus(waiver: Waiver, matches: number, expired: boolean): WaiverStatus {
  const { location, ...fields } = waiver;
  return {
    ...fields,
    file: location.file,
    ...(location.line !== undefined ? { line: location.line } : {}),
    status: expired ? 'expired' : matches === 0 ? 'stale' : 'applied',
    matches,
  };
}
