/** The reports of `fwmatrix diff`: what a change does to flows and findings, as text or JSON. */
import pc from 'picocolors';
import { describeCount } from '../packetset';
import { CHANGE_KINDS, type ChangeKind, type Decision, type FlowChange } from '../audit/compare';
import type { DiffReport, Finding } from '../audit/types';
import { firewallLabel } from './common';
import { witnessText } from './text';

const KIND_TITLES: Readonly<Record<ChangeKind, string>> = {
  'newly-allowed': 'Newly allowed',
  'newly-denied': 'Newly denied',
  'newly-undetermined': 'Newly undetermined',
  'no-longer-undetermined': 'No longer undetermined',
};

export const DIFF_FORMATS = ['text', 'json'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

export function renderDiff(report: DiffReport, format: DiffFormat, options: { color: boolean }): string {
  return format === 'json' ? renderDiffJson(report) : renderDiffText(report, options);
}

export function renderDiffJson(report: DiffReport): string {
  return JSON.stringify({ ...report, changes: report.changes.map(changeJson) }, null, 2) + '\n';
}

function changeJson(change: FlowChange): object {
  const { extent } = change;
  return {
    kind: change.kind,
    point: change.point,
    family: change.family,
    before: change.before,
    after: change.after,
    // Exact, as decimal strings: IPv6 counts do not fit a JSON number.
    counts: {
      sources: `${extent.sources}`,
      destinations: `${extent.destinations}`,
      protocols: `${extent.protocols}`,
      destinationPorts: `${extent.destinationPorts}`,
    },
    witness: change.witness,
  };
}

export function renderDiffText(diff: DiffReport, options: { color: boolean }): string {
  const c = pc.createColors(options.color);
  const kindColor: Record<ChangeKind, (s: string) => string> = {
    'newly-allowed': c.green,
    'newly-denied': c.red,
    'newly-undetermined': c.magenta,
    'no-longer-undetermined': c.cyan,
  };
  const lines: string[] = [
    c.bold(`fwmatrix ${diff.tool.version} — diff ${diff.before} → ${diff.after}${diff.subject ? ` (${diff.subject})` : ''}`),
    '',
  ];
  if (diff.changes.length === 0) lines.push('No flow changes.');
  for (const kind of CHANGE_KINDS) {
    const ofKind = diff.changes.filter((change) => change.kind === kind);
    if (ofKind.length === 0) continue;
    lines.push(c.bold(kindColor[kind](`${KIND_TITLES[kind]} (${ofKind.length}):`)));
    for (const change of ofKind) {
      const { sources, destinations, protocols, destinationPorts } = change.extent;
      const extent = [
        count(sources, 'source address'),
        count(destinations, 'destination address'),
        count(protocols, 'protocol'),
        count(destinationPorts, 'destination port'),
      ];
      lines.push(`  ${change.point} IPv${change.family}: ${extent.join(', ')}`);
      lines.push(...decisionLines('before', change.before), ...decisionLines('after ', change.after));
      if (change.witness) lines.push(`    witness: ${witnessText(change.witness)}`);
    }
  }
  const { findings } = diff;
  if (findings) {
    const severityColor = { high: c.red, medium: c.yellow, low: c.cyan };
    const show = (title: string, list: Finding[]): void => {
      if (list.length === 0) return;
      lines.push('', c.bold(`${title} (${list.length}):`));
      for (const f of list) {
        const suppressed = f.suppressedBy ? c.dim(` (suppressed: ${f.suppressedBy})`) : '';
        lines.push(
          `  ${severityColor[f.severity](f.severity.toUpperCase())} ${c.bold(f.kind)} ${firewallLabel(f)}${f.requirement ? ` ${f.requirement}` : ''}${suppressed}`,
        );
        lines.push(`    ${f.message}`);
        if (f.rule) lines.push(c.dim(`    ${f.rule.file}:${f.rule.line}: ${f.rule.text}`));
        if (f.witness) lines.push(`    witness: ${witnessText(f.witness)}`);
        lines.push(c.dim(`    fingerprint ${f.fingerprint}`));
      }
    };
    show('Findings introduced', findings.introduced);
    show('Findings fixed', findings.fixed);
  }
  const changesPart = `${count(BigInt(diff.changes.length), 'flow change')}`;
  const summary = findings
    ? `${diff.verdict === 'pass' ? c.green('PASS') : c.red('FAIL')} (fail on ${diff.failOn}): ${changesPart}; ${count(BigInt(findings.introduced.length), 'finding')} introduced, ${findings.fixed.length} fixed, ${findings.unchanged} unchanged`
    : changesPart;
  lines.push('', summary);
  return lines.join('\n') + '\n';
}

function decisionLines(side: string, d: Decision): string[] {
  let by: string;
  if (d.rule) by = `${d.rule.file}:${d.rule.line}: ${d.rule.text}`;
  else if (d.policy?.source) by = `${d.policy.source.file}:${d.policy.source.line}: ${d.policy.source.text} (${d.policy.phrase})`;
  else if (d.policy) by = d.policy.phrase;
  else by = 'no chain filters these packets';
  return [`    ${side} ${d.verdict} by ${by}`, ...(d.reasons ?? []).map((why) => `      because ${why}`)];
}

function count(n: bigint, noun: string): string {
  const plural = noun.endsWith('s') ? `${noun}es` : `${noun}s`;
  return `${describeCount(n)} ${n === 1n ? noun : plural}`;
}
