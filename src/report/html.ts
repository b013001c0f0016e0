/**
 * A single self-contained HTML page: inline CSS, no scripts, nothing loaded from elsewhere (its
 * Content-Security-Policy forbids both). Every string from the report is escaped.
 */
import type { AuditReport, Finding } from '../audit/types';
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

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; } h3 { font-size: 1.05rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { border: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } td.number { text-align: right; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f6f8fa; padding: 0 .2rem; overflow-wrap: anywhere; }
.verdict-pass { color: #1a7f37; } .verdict-fail { color: #cf222e; }
td[class^="status-"] { white-space: nowrap; }
.status-allowed { background: #dafbe1; } .status-partial { background: #fff8c5; } .status-denied { background: #ffebe9; }
.status-undetermined { background: #fbefff; } .status-not-applicable { color: #656d76; }
.severity-high { color: #cf222e; } .severity-medium { color: #9a6700; } .severity-low { color: #0969da; }
.muted { color: #656d76; }
`;

function code(text: string): string {
  return `<code>${escapeHtml(text)}</code>`;
}

function table(header: string[], rows: string[][]): string {
  const head = `<tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${rows.map((cells) => `<tr>${cells.join('')}</tr>`).join('\n')}\n</tbody>\n</table>`;
}

/** A cell; `content` is HTML already escaped by the caller. */
function cell(content: string, className?: string): string {
  return className ? `<td class="${escapeHtml(className)}">${content}</td>` : `<td>${content}</td>`;
}

function findingCells(f: Finding): string[] {
  const errata = f.errata?.length ? ` <span class="muted">(see ${f.errata.map((e) => escapeHtml(e.id)).join(', ')})</span>` : '';
  return [
    cell(escapeHtml(f.kind)),
    cell(escapeHtml(firewallLabel(f))),
    cell(f.requirement ? escapeHtml(f.requirement) : ''),
    cell(f.rule ? `${code(sourceLocation(f.rule))}<br/>${code(f.rule.text)}` : ''),
    cell(f.witness ? code(witnessText(f.witness)) : ''),
    cell(escapeHtml(f.message) + errata + `<br/><span class="muted">fingerprint ${code(f.fingerprint)}</span>`),
  ];
}

const FINDING_HEADER = ['Kind', 'Firewall', 'Requirement', 'Rule', 'Witness', 'Message'];

export function renderHtml(report: AuditReport): string {
  const verdictClass = escapeHtml(`verdict-${report.verdict}`);
  const verdict = escapeHtml(report.verdict.toUpperCase());
  const body: string[] = [];
  body.push(`<h1>fwmatrix audit: <span class="${verdictClass}">${verdict}</span></h1>`);
  body.push(
    `<p>Matrix <strong>${escapeHtml(report.matrix.title)}</strong> (${code(report.matrix.id)}), fwmatrix ${escapeHtml(report.tool.version)}, failing on ${escapeHtml(report.failOn)} and above.</p>`,
  );
  const definedAny = report.roles.find((r) => r.id === 'any');
  if (definedAny) body.push(`<p>The deployment defines the role ${code('any')} as ${definedAny.addresses.map(code).join(', ')}.</p>`);

  body.push('<h2>Firewalls</h2>');
  body.push(
    table(
      ['Firewall', 'Type', 'Placement', 'Rules', 'Configuration'],
      report.firewalls.map((fw) => [
        cell(escapeHtml(fw.name)),
        cell(escapeHtml(fw.type)),
        cell(escapeHtml(fw.placement)),
        cell(String(fw.rules), 'number'),
        cell((fw.files ?? [fw.file]).map(code).join(', ')),
      ]),
    ),
  );

  body.push('<h2>Results</h2>');
  body.push(
    table(
      ['Firewall', 'Requirement', 'Status', 'Flow', 'Decided by'],
      report.results.map((r) => [
        cell(escapeHtml(firewallLabel(r))),
        cell(escapeHtml(r.requirement)),
        cell(escapeHtml(r.status), `status-${r.status}`),
        cell(
          escapeHtml(r.flow) +
            (r.optional ? ' <span class="muted">(optional)</span>' : '') +
            r.reasons.map((why) => `<br/><span class="muted">${escapeHtml(why)}</span>`).join(''),
        ),
        cell(r.decidedBy.map((ref) => code(sourceLocation(ref))).join(', ')),
      ]),
    ),
  );

  body.push(`<h2>Findings (${report.findings.length})</h2>`);
  if (report.findings.length === 0) body.push('<p>No findings.</p>');
  for (const severity of SEVERITIES) {
    const findings = report.findings.filter((f) => f.severity === severity);
    if (findings.length === 0) continue;
    body.push(`<h3 class="severity-${severity}">${severity[0].toUpperCase()}${severity.slice(1)} (${findings.length})</h3>`);
    body.push(table(FINDING_HEADER, findings.map(findingCells)));
  }
  if (report.suppressed.length > 0) {
    body.push(`<h2>Suppressed (${report.suppressed.length})</h2>`);
    body.push(
      table(
        [...FINDING_HEADER, 'Suppressed by'],
        report.suppressed.map((f) => [...findingCells(f), cell(escapeHtml(f.suppressedBy ?? ''))]),
      ),
    );
  }

  if (report.warnings.length > 0) {
    body.push(`<h2>Configuration warnings (${report.warnings.length})</h2>`);
    body.push(
      table(
        ['Firewall', 'Where', 'Warning'],
        report.warnings.map((w) => [cell(escapeHtml(w.firewall)), cell(code(warningLocation(w))), cell(escapeHtml(w.message))]),
      ),
    );
  }

  const errata = citedErrata(report);
  if (errata.length > 0) {
    body.push('<h2>Notes on the source documents (errata)</h2>');
    body.push(
      `<dl>\n${errata.map((e) => `<dt><strong>${escapeHtml(e.id)}</strong> ${escapeHtml(e.title)}</dt><dd>${escapeHtml(e.text)}</dd>`).join('\n')}\n</dl>`,
    );
  }
  if (report.waivers.length > 0) {
    body.push(`<h2>Waivers (${report.waivers.length})</h2>`);
    body.push(
      table(
        ['Status', 'Waives', 'Where', 'Reason'],
        report.waivers.map((w) => [
          cell(escapeHtml(waiverState(w))),
          cell(escapeHtml(waiverScope(w))),
          cell(code(`${w.file}${w.line ? `:${w.line}` : ''}`)),
          cell(escapeHtml(w.reason)),
        ]),
      ),
    );
  }
  body.push(
    '<h2>Evidence</h2>',
    `<ul>${evidenceLines(report)
      .map((line) => `<li>${escapeHtml(line)}</li>`)
      .join('')}</ul>`,
  );
  body.push(`<p class="${verdictClass}"><strong>${escapeHtml(verdictSummary(report))}</strong></p>`);

  return (
    [
      '<!DOCTYPE html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8"/>',
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/>`,
      '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
      `<title>fwmatrix audit: ${verdict}, ${escapeHtml(report.matrix.title)}</title>`,
      `<style>${STYLE}</style>`,
      '</head>',
      '<body>',
      ...body,
      '</body>',
      '</html>',
    ].join('\n') + '\n'
  );
}
