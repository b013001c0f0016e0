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

/** GitHub refuses comments over 65,536 characters; a little is left for what a CI step adds around the report. */
export const MARKDOWN_LIMIT = 65_000;

/** Rows the tables may still show, spent in order of importance (findings by severity, results, suppressed). */
interface RowBudget {
  left: number;
  cut: number;
}

function withinBudget<T>(items: T[], budget: RowBudget): T[] {
  const kept = items.slice(0, Math.max(0, budget.left));
  budget.left -= kept.length;
  budget.cut += items.length - kept.length;
  return kept;
}

/**
 * The report as GitHub Markdown, under `limit` characters: when the whole does not fit, the
 * tables keep their most important rows (high findings first, results, then the rest) and the
 * report says how many it left out. The results and the less severe parts are collapsed.
 */
export function renderMarkdown(report: AuditReport, limit = MARKDOWN_LIMIT): string {
  const rows = report.findings.length + report.results.length + report.suppressed.length;
  const whole = renderWithin(report, { left: rows, cut: 0 });
  if (whole.length <= limit) return whole;
  let [lo, hi] = [0, rows];
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (renderWithin(report, { left: mid, cut: 0 }).length <= limit) lo = mid;
    else hi = mid - 1;
  }
  return renderWithin(report, { left: lo, cut: 0 });
}

function renderWithin(report: AuditReport, budget: RowBudget): string {
  const verdict = report.verdict === 'pass' ? '✅ PASS' : '❌ FAIL';
  const out: string[] = [];
  out.push(`## fwmatrix audit: ${verdict}`, '');
  out.push(
    `Matrix **${markdownText(report.matrix.title)}** (${codeSpan(report.matrix.id, 'block')}${report.matrix.version ? ` ${markdownText(report.matrix.version)}` : ''}), fwmatrix ${markdownText(report.tool.version)}, failing on ${markdownText(report.failOn)} and above.`,
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
  if (report.errors.length > 0) {
    out.push(`### Firewalls not audited (${report.errors.length})`, '');
    for (const e of report.errors)
      out.push(`- **${markdownText(e.firewall)}**: ${codeSpan(warningLocation(e), 'block')}: ${markdownText(e.message)}`);
    out.push('');
  }

  // Findings are what a reviewer acts on: they come first and spend the budget first.
  const bySeverity = SEVERITIES.map((severity) => ({ severity, findings: report.findings.filter((f) => f.severity === severity) }));
  const shownFindings = bySeverity.map(({ severity, findings }) => ({
    severity,
    all: findings.length,
    rows: withinBudget(findings, budget),
  }));
  const shownResults = withinBudget(report.results, budget);
  const shownSuppressed = withinBudget(report.suppressed, budget);

  if (report.findings.length === 0) out.push('### Findings', '', 'No findings.', '');
  else {
    out.push(`### Findings (${report.findings.length})`, '');
    for (const { severity, all, rows } of shownFindings) {
      if (all === 0) continue;
      const title = `${severity[0].toUpperCase()}${severity.slice(1)} (${all})`;
      const section = [
        ...table(FINDING_HEADER, rows.map(findingRow)),
        ...(rows.length < all ? ['', `_${all - rows.length} more not shown._`] : []),
      ];
      out.push(`#### ${title}`, '', ...(severity === 'low' ? collapsed('show', section) : [...section, '']));
    }
  }

  const resultRows = shownResults.map((r) => [
    markdownText(firewallLabel(r)),
    markdownText(r.requirement),
    STATUS_MARK[r.status],
    markdownText(r.flow) + (r.optional ? ' (optional)' : ''),
    r.decidedBy.map((ref) => codeSpan(sourceLocation(ref), 'table')).join(', '),
  ]);
  out.push('### Results', '');
  out.push(
    ...collapsed(`${report.results.length} results: ${statusCounts(report)}`, [
      ...table(['Firewall', 'Requirement', 'Status', 'Flow', 'Decided by'], resultRows),
      ...(shownResults.length < report.results.length ? ['', `_${report.results.length - shownResults.length} more not shown._`] : []),
    ]),
  );

  if (report.suppressed.length > 0) {
    const rows = shownSuppressed.map((f) => [...findingRow(f), markdownText(f.suppressedBy ?? '')]);
    out.push(
      ...collapsed(`Suppressed (${report.suppressed.length})`, [
        ...table([...FINDING_HEADER, 'Suppressed by'], rows),
        ...(rows.length < report.suppressed.length ? ['', `_${report.suppressed.length - rows.length} more not shown._`] : []),
      ]),
    );
  }

  if (report.warnings.length > 0) {
    out.push(
      ...collapsed(
        `Configuration warnings (${report.warnings.length})`,
        report.warnings.map((w) => `- ${markdownText(w.firewall)}: ${codeSpan(warningLocation(w), 'block')}: ${markdownText(w.message)}`),
      ),
    );
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
    ...collapsed(
      'Evidence',
      evidenceLines(report).map((line) => `- ${markdownText(line)}`),
    ),
  );
  if (budget.cut > 0)
    out.push(
      `_${budget.cut} table rows are not shown, to keep this under GitHub's comment size: the JSON, SARIF or HTML report has them all._`,
      '',
    );
  out.push(`**${markdownText(verdictSummary(report))}**`);
  return out.join('\n') + '\n';
}

/** A section GitHub shows folded until clicked. */
function collapsed(summary: string, body: string[]): string[] {
  return [`<details><summary>${markdownText(summary)}</summary>`, '', ...body, '', '</details>', ''];
}

function statusCounts(report: AuditReport): string {
  const counts = new Map<Status, number>();
  for (const r of report.results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
}
