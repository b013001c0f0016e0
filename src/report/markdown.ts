/** A Markdown report (GitHub flavour), short enough to read as a pull-request comment. */
import type { AuditReport, Finding, Status } from '../audit/types';
import {
  SEVERITIES,
  citedErrata,
  evidenceLines,
  firewallLabel,
  sourceLocation,
  verdictSummary,
  waiverScope,
  waiverState,
  warningLocation,
} from './common';
import { witnessText } from './text';

/** Whether the text goes in a table cell, where a pipe ends the cell even inside a code span. */
type Context = 'table' | 'block';

function oneLine(text: string): string {
  return text.replace(/\r\n|[\r\n]/g, ' ');
}

/** Plain text: Markdown's punctuation backslash-escaped, `$` too (GitHub renders it as math). */
export function markdownText(text: string): string {
  return oneLine(text).replace(/[\\`*_[\]<>|~&#!$]/g, '\\$&');
}

/** Verbatim text in a code span whose fence is longer than any run of backticks inside it. */
export function codeSpan(text: string, context: Context): string {
  const line = oneLine(text);
  const longestRun = Math.max(0, ...(line.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  // A space on each side keeps a leading or trailing backtick out of the fence (it is stripped again).
  const pad = /^[` ]|[` ]$/.test(line) ? ' ' : '';
  const body = context === 'table' ? line.replace(/\|/g, '\\|') : line;
  return `${fence}${pad}${body}${pad}${fence}`;
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function table(header: string[], rows: string[][], alignRight: number[] = []): string[] {
  return [row(header), row(header.map((_, i) => (alignRight.includes(i) ? '---:' : '---'))), ...rows.map(row)];
}

const STATUS_MARK: Readonly<Record<Status, string>> = {
  allowed: '✅ allowed',
  partial: '⚠️ partial',
  denied: '❌ denied',
  undetermined: '❓ undetermined',
  'not-applicable': '➖ not applicable',
};

function findingRow(f: Finding): string[] {
  const errata = f.errata?.length ? ` (see ${f.errata.map((e) => markdownText(e.id)).join(', ')})` : '';
  return [
    markdownText(f.kind),
    markdownText(firewallLabel(f)),
    f.requirement ? markdownText(f.requirement) : '',
    f.rule ? `${codeSpan(sourceLocation(f.rule), 'table')} ${codeSpan(f.rule.text, 'table')}` : '',
    f.witness ? codeSpan(witnessText(f.witness), 'table') : '',
    markdownText(f.message) + errata,
  ];
}

const FINDING_HEADER = ['Kind', 'Firewall', 'Requirement', 'Rule', 'Witness', 'Message'];

export function renderMarkdown(report: AuditReport): string {
  const verdict = report.verdict === 'pass' ? '✅ PASS' : '❌ FAIL';
  const out: string[] = [];
  out.push(`## fwmatrix audit: ${verdict}`, '');
  out.push(
    `Matrix **${markdownText(report.matrix.title)}** (${codeSpan(report.matrix.id, 'block')}), fwmatrix ${markdownText(report.tool.version)}, failing on ${markdownText(report.failOn)} and above.`,
    '',
  );
  const definedAny = report.roles.find((r) => r.id === 'any');
  if (definedAny)
    out.push(
      `The deployment defines the role ${codeSpan('any', 'block')} as ${definedAny.addresses.map((a) => codeSpan(a, 'block')).join(', ')}.`,
      '',
    );

  out.push('### Firewalls', '');
  out.push(
    ...table(
      ['Firewall', 'Type', 'Placement', 'Rules', 'Configuration'],
      report.firewalls.map((fw) => [
        markdownText(fw.name),
        markdownText(fw.type),
        markdownText(fw.placement),
        String(fw.rules),
        (fw.files ?? [fw.file]).map((f) => codeSpan(f, 'table')).join(', '),
      ]),
      [3],
    ),
    '',
  );

  out.push('### Results', '');
  out.push(
    ...table(
      ['Firewall', 'Requirement', 'Status', 'Flow', 'Decided by'],
      report.results.map((r) => [
        markdownText(firewallLabel(r)),
        markdownText(r.requirement),
        STATUS_MARK[r.status],
        markdownText(r.flow) + (r.optional ? ' (optional)' : ''),
        r.decidedBy.map((ref) => codeSpan(sourceLocation(ref), 'table')).join(', '),
      ]),
    ),
    '',
  );

  if (report.findings.length === 0) out.push('### Findings', '', 'No findings.', '');
  else {
    out.push(`### Findings (${report.findings.length})`, '');
    for (const severity of SEVERITIES) {
      const findings = report.findings.filter((f) => f.severity === severity);
      if (findings.length === 0) continue;
      out.push(`#### ${severity[0].toUpperCase()}${severity.slice(1)} (${findings.length})`, '');
      out.push(...table(FINDING_HEADER, findings.map(findingRow)), '');
    }
  }
  if (report.suppressed.length > 0) {
    out.push(`### Suppressed (${report.suppressed.length})`, '');
    out.push(
      ...table(
        [...FINDING_HEADER, 'Suppressed by'],
        report.suppressed.map((f) => [...findingRow(f), markdownText(f.suppressedBy ?? '')]),
      ),
      '',
    );
  }

  if (report.errors.length > 0) {
    out.push(`### Firewalls not audited (${report.errors.length})`, '');
    for (const e of report.errors)
      out.push(`- **${markdownText(e.firewall)}**: ${codeSpan(warningLocation(e), 'block')}: ${markdownText(e.message)}`);
    out.push('');
  }
  if (report.warnings.length > 0) {
    out.push(`### Configuration warnings (${report.warnings.length})`, '');
    for (const w of report.warnings)
      out.push(`- ${markdownText(w.firewall)}: ${codeSpan(warningLocation(w), 'block')}: ${markdownText(w.message)}`);
    out.push('');
  }

  if (report.waivers.length > 0) {
    out.push(`### Waivers (${report.waivers.length})`, '');
    for (const w of report.waivers)
      out.push(
        `- **${markdownText(waiverState(w))}**: ${markdownText(waiverScope(w))} (${codeSpan(`${w.file}${w.line ? `:${w.line}` : ''}`, 'block')}): ${markdownText(w.reason)}`,
      );
    out.push('');
  }

  const errata = citedErrata(report);
  if (errata.length > 0) {
    out.push('### Notes on the source documents (errata)', '');
    for (const e of errata) out.push(`- **${markdownText(e.id)}**, ${markdownText(e.title)}: ${markdownText(e.text)}`);
    out.push('');
  }
  out.push(
    '<details><summary>Evidence</summary>',
    '',
    ...evidenceLines(report).map((line) => `- ${markdownText(line)}`),
    '',
    '</details>',
    '',
  );
  out.push(`**${markdownText(verdictSummary(report))}**`);
  return out.join('\n') + '\n';
}
