/**
 * The HTML report for reviewers: a single self-contained page (inline CSS, no scripts, nothing
 * loaded from elsewhere: its Content-Security-Policy forbids both) that prints as a document to
 * sign: summary, the requirement × firewall grid, findings by firewall, waivers, warnings, errata,
 * the evidence (every file read, with its digest) and a sign-off block.
 * Every string from the report is escaped.
 */
import { SEVERITY_RANK, type AuditReport, type FileDigest, type Finding, type FirewallSummary, type WaiverStatus } from '../audit/types';
import { SEVERITIES, citedErrata, severityCounts, verdictSummary, waiverScope, waiverState, warningLocation } from './common';
import { decidingRules, fileNames, gridColumns, matrixGrid, ruleWithLocation, statusCounts, type FileNames } from './html-grid';
import { cell, code, counted, escapeHtml, section, table, text } from './html-markup';
import { STYLE } from './html-style';
import { witnessText } from './text';

export { escapeHtml } from './html-markup';

function documentHeader(report: AuditReport): string {
  const verdict = report.verdict.toUpperCase();
  const threshold = report.failOn === 'none' ? 'no finding fails the run' : `fails on ${report.failOn} and above`;
  return [
    '<header class="document-header">',
    '<div>',
    '<p class="document-kind">Firewall configuration audit</p>',
    `<h1>${text(report.matrix.title)}</h1>`,
    `<p class="muted">Matrix ${code(report.matrix.id)} · ${counted(report.firewalls.length, 'firewall')} · fwmatrix ${text(report.tool.version)}</p>`,
    '</div>',
    `<div class="verdict verdict-${escapeHtml(report.verdict)}"><strong>${text(verdict)}</strong><span>${text(threshold)}</span></div>`,
    '</header>',
  ].join('\n');
}

function factsTable(rows: [string, string][]): string {
  return `<table class="facts">\n<tbody>\n${rows.map(([name, value]) => `<tr><th scope="row">${text(name)}</th><td>${value}</td></tr>`).join('\n')}\n</tbody>\n</table>`;
}

function auditFacts(report: AuditReport): string {
  const requirements = new Set(report.results.map((r) => r.requirement)).size;
  const matrix = `${code(report.matrix.id)}${report.matrix.version ? ` version ${text(report.matrix.version)}` : ''}`;
  const rows: [string, string][] = [
    ['Verdict', `<strong class="verdict-${escapeHtml(report.verdict)}">${text(report.verdict.toUpperCase())}</strong>`],
    ['Audited', text(report.evidence.generatedAt)],
    [
      'Deployment',
      report.evidence.deployment ? code(report.evidence.deployment.file) : '<span class="muted">none (one configuration)</span>',
    ],
    ['Matrix', matrix],
    ['Requirements', String(requirements)],
    ['Firewalls', text(report.firewalls.map((fw) => fw.name).join(', '))],
  ];
  if (report.errors.length > 0) rows.push(['Not audited', text(notAuditedNames(report).join(', '))]);
  rows.push(['Fails on', text(report.failOn === 'none' ? 'nothing (--fail-on none)' : `${report.failOn} and above`)]);
  if (report.waivers.length > 0) rows.push(['Waivers', text(waiverCounts(report.waivers))]);
  const definedAny = report.roles.find((r) => r.id === 'any');
  if (definedAny) rows.push([`Role "any"`, definedAny.addresses.map(code).join(', ')]);
  return factsTable(rows);
}

/** `1 applied, 1 expired, 1 stale`. */
function waiverCounts(waivers: readonly WaiverStatus[]): string {
  return (['applied', 'expired', 'stale'] as const)
    .map((status) => [status, waivers.filter((w) => w.status === status).length] as const)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
}

function severityTable(report: AuditReport): string {
  const counts = severityCounts(report.findings);
  const fails = (severity: keyof typeof counts) => report.failOn !== 'none' && SEVERITY_RANK[severity] >= SEVERITY_RANK[report.failOn];
  const rows = SEVERITIES.map((severity) => [
    `<th scope="row"><span class="badge severity-${severity}">${severity}</span></th>`,
    cell(String(counts[severity]), 'number'),
    cell(
      !fails(severity) ? '<span class="muted">reported only</span>' : counts[severity] > 0 ? 'fails the run' : 'would fail the run',
      'effect',
    ),
  ]);
  rows.push([
    '<th scope="row">suppressed</th>',
    cell(String(report.suppressed.length), 'number'),
    cell('<span class="muted">not counted</span>', 'effect'),
  ]);
  return table(['Severity', 'Findings', 'Effect'], rows, 'counts');
}

function firewallFiles(fw: FirewallSummary): string[] {
  return fw.files ?? [fw.file];
}

function firewallsTable(report: AuditReport): string {
  return table(
    ['Firewall', 'Type', 'Placement', 'Rules', 'Configuration'],
    report.firewalls.map((fw) => [
      `<th scope="row">${text(fw.name)}</th>`,
      cell(text(fw.type)),
      cell(text(fw.placement)),
      cell(String(fw.rules), 'number'),
      cell(firewallFiles(fw).map(code).join('<br/>')),
    ]),
  );
}

function notAuditedNames(report: AuditReport): string[] {
  return [...new Set(report.errors.map((e) => e.firewall))];
}

/** Firewalls whose configuration could not be used: first thing after the verdict, since the grid cannot show them. */
function notAudited(report: AuditReport): string[] {
  if (report.errors.length === 0) return [];
  const firewalls = notAuditedNames(report);
  return [
    '<div class="not-audited">',
    `<h3>${text(counted(firewalls.length, 'firewall'))} not audited: ${text(firewalls.join(', '))}</h3>`,
    firewalls.length === 1
      ? '<p>Its configuration could not be used, so the grid has no column for it and the verdict fails.</p>'
      : '<p>Their configurations could not be used, so the grid has no column for them and the verdict fails.</p>',
    table(
      ['Firewall', 'Where', 'Error'],
      report.errors.map((e) => [cell(text(e.firewall)), cell(code(warningLocation(e))), cell(text(e.message))]),
    ),
    '</div>',
  ];
}

function summarySection(report: AuditReport): string {
  return section('summary', 'Summary', [
    `<p class="verdict-${escapeHtml(report.verdict)}"><strong>${text(verdictSummary(report))}</strong></p>`,
    ...notAudited(report),
    '<div class="overview">',
    `<div><h3>Audit</h3>\n${auditFacts(report)}</div>`,
    `<div><h3>Findings by severity</h3>\n${severityTable(report)}</div>`,
    `<div><h3>Results by status</h3>\n${statusCounts(report)}</div>`,
    '</div>',
    '<h3>Firewalls</h3>',
    firewallsTable(report),
  ]);
}

function matrixSection(report: AuditReport): string {
  const columns = gridColumns(report);
  const variants = columns.some((c) => c.variant !== undefined)
    ? ' A firewall whose results differ by variant (profile) has a column per variant.'
    : '';
  return section('matrix', 'Matrix', [
    `<p class="intro muted">One row per requirement, one column per firewall.${text(variants)} A cell names the line(s) that decide it; hover for the rule text, or click to open it.</p>`,
    matrixGrid(report),
    '<h3>Deciding rules</h3>',
    ...(report.results.some((r) => r.decidedBy.length > 0)
      ? ['<p class="intro muted">Every rule or default policy the grid cites, with the requirements it decides.</p>', decidingRules(report)]
      : ['<p class="muted">No rule decides any cell.</p>']),
  ]);
}

function findingCard(f: Finding, names: FileNames): string {
  const header = [
    `<span class="badge severity-${escapeHtml(f.severity)}">${text(f.severity)}</span>`,
    `<span class="kind">${text(f.kind)}</span>`,
    f.requirement ? `<span class="muted">requirement ${text(f.requirement)}</span>` : '',
    f.variant !== undefined ? `<span class="muted">variant ${text(f.variant)}</span>` : '',
    f.errata?.length ? `<span class="muted">errata ${text(f.errata.map((e) => e.id).join(', '))}</span>` : '',
    `<span class="fingerprint">fingerprint ${code(f.fingerprint)}</span>`,
  ];
  const facts: [string, string][] = [];
  if (f.rule) facts.push(['Rule', ruleWithLocation(f.rule, names(f.firewall, f.rule.file))]);
  if (f.witness) facts.push(['Witness', code(witnessText(f.witness))]);
  if (f.suppressedBy !== undefined) facts.push(['Suppressed by', text(f.suppressedBy)]);
  return [
    `<article class="finding severity-${escapeHtml(f.severity)}">`,
    `<header>${header.join('')}</header>`,
    `<p class="message">${text(f.message)}</p>`,
    `<dl class="facts-list">${facts.map(([name, value]) => `<dt>${text(name)}</dt><dd>${value}</dd>`).join('')}</dl>`,
    '</article>',
  ].join('\n');
}

/** Findings under a heading per firewall (in the report's order), most severe first. */
function findingsByFirewall(report: AuditReport, findings: readonly Finding[]): string[] {
  const names = fileNames(report);
  const firewalls = [...new Set([...report.firewalls.map((fw) => fw.name), ...findings.map((f) => f.firewall)])];
  const out: string[] = [];
  for (const name of firewalls) {
    const own = findings.filter((f) => f.firewall === name).sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
    if (own.length === 0) continue;
    const fw = report.firewalls.find((x) => x.name === name);
    const about = fw ? `${fw.type} · ${fw.placement} · ` : '';
    out.push(`<h3>${text(name)} <span class="muted">${text(about + counted(own.length, 'finding'))}</span></h3>`);
    // One by one: a spread of a hundred thousand cards into push() overflows the call stack.
    for (const f of own) out.push(findingCard(f, names));
  }
  return out;
}

function findingsSections(report: AuditReport): string[] {
  const counts = severityCounts(report.findings);
  const sections = [
    section('findings', `Findings (${report.findings.length})`, [
      report.findings.length === 0
        ? '<p>No findings.</p>'
        : `<p class="intro muted">${SEVERITIES.map((s) => `${counts[s]} ${s}`).join(', ')}; grouped by firewall, most severe first.</p>`,
      ...findingsByFirewall(report, report.findings),
    ]),
  ];
  if (report.suppressed.length > 0) {
    sections.push(
      section('suppressed', `Suppressed findings (${report.suppressed.length})`, [
        '<p class="intro muted">Findings a waiver or the baseline covers: they do not count towards the verdict.</p>',
        '<div class="suppressed">',
        ...findingsByFirewall(report, report.suppressed),
        '</div>',
      ]),
    );
  }
  return sections;
}

function warningsSection(report: AuditReport): string[] {
  if (report.warnings.length === 0) return [];
  return [
    section('warnings', `Configuration warnings (${report.warnings.length})`, [
      '<p class="intro muted">What the configurations hold that fwmatrix noticed and did not stop on.</p>',
      table(
        ['Firewall', 'Where', 'Warning'],
        report.warnings.map((w) => [cell(text(w.firewall)), cell(code(warningLocation(w))), cell(text(w.message))]),
      ),
    ]),
  ];
}

function errataSection(report: AuditReport): string[] {
  const errata = citedErrata(report);
  if (errata.length === 0) return [];
  return [
    section('errata', 'Notes on the source documents (errata)', [
      '<p class="intro muted">Where the matrix departs from or clarifies its published source; the results above cite these.</p>',
      `<dl class="errata">\n${errata.map((e) => `<dt><strong>${text(e.id)}</strong> ${text(e.title)}</dt><dd>${text(e.text)}</dd>`).join('\n')}\n</dl>`,
    ]),
  ];
}

function waiversSection(report: AuditReport): string[] {
  if (report.waivers.length === 0) return [];
  return [
    section('waivers', `Waivers (${report.waivers.length})`, [
      '<p class="intro muted">Every waiver of the waiver file: one past its date no longer applies, one that matches no finding is stale.</p>',
      table(
        ['Status', 'Waives', 'Where', 'Reason'],
        report.waivers.map((w) => [
          cell(text(waiverState(w)), `waiver-${w.status}`),
          cell(text(waiverScope(w))),
          cell(code(`${w.file}${w.line !== undefined ? `:${w.line}` : ''}`)),
          cell(text(w.reason)),
        ]),
        'waivers',
      ),
    ]),
  ];
}

function digestRow(what: string, d: FileDigest): string[] {
  return [cell(text(what)), cell(`${code(d.file)}<br/><code class="digest">${text(d.sha256)}</code>`), cell(String(d.bytes), 'number')];
}

/** What the audit read, with digests: what a signature on this report vouches for. */
function evidenceSection(report: AuditReport): string {
  const e = report.evidence;
  const matrix = `matrix ${report.matrix.id}${report.matrix.version ? ` ${report.matrix.version}` : ''}`;
  const rows = [
    ...(e.deployment ? [digestRow('deployment', e.deployment)] : []),
    ...e.inputs.map((input) => digestRow(`${input.firewall}: ${input.kind}`, input)),
    digestRow(matrix, e.matrix),
    ...(e.waivers ? [digestRow('waivers', e.waivers)] : []),
    ...(e.baseline ? [digestRow('baseline', e.baseline)] : []),
  ];
  return section('evidence', 'Evidence', [
    `<p class="intro">Audited ${text(e.generatedAt)} by fwmatrix ${text(report.tool.version)}, failing on ${text(report.failOn)}. The files read, with their SHA-256 digests:</p>`,
    table(['What', 'File and SHA-256', 'Bytes'], rows, 'evidence'),
  ]);
}

function signOffSection(): string {
  const decisions = ['Accepted', 'Accepted with waivers', 'Rejected']
    .map((d) => `<span class="choice"><span class="box"></span>${text(d)}</span>`)
    .join('');
  const row = (name: string, content: string, className = 'blank') =>
    `<tr><th scope="row">${text(name)}</th><td class="${className}">${content}</td></tr>`;
  return `<section id="sign-off" class="sign-off">
<h2>Review and sign-off</h2>
<p class="intro muted">For the printed copy: the reviewer records the decision on this report and signs it.</p>
<table>
<tbody>
${[
  row('Reviewer', ''),
  row('Role / organisation', ''),
  row('Date', ''),
  row('Decision', decisions, 'decision'),
  row('Waivers / conditions', '', 'blank tall'),
  row('Signature', '', 'blank tall'),
].join('\n')}
</tbody>
</table>
</section>`;
}

export function renderHtml(report: AuditReport): string {
  const verdict = text(report.verdict.toUpperCase());
  const body = [
    documentHeader(report),
    '<main>',
    summarySection(report),
    matrixSection(report),
    ...findingsSections(report),
    ...waiversSection(report),
    ...warningsSection(report),
    ...errataSection(report),
    evidenceSection(report),
    signOffSection(),
    '</main>',
    `<footer>Produced by fwmatrix ${text(report.tool.version)}: ${text(verdictSummary(report))}</footer>`,
  ];
  return (
    [
      '<!DOCTYPE html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8"/>',
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/>`,
      '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
      `<title>fwmatrix audit: ${verdict}, ${text(report.matrix.title)}</title>`,
      `<style>${STYLE}</style>`,
      '</head>',
      '<body>',
      ...body,
      '</body>',
      '</html>',
    ].join('\n') + '\n'
  );
}
