/** The human report: a table of statuses, the findings with their rules and witnesses, the errata. */
import pc from 'picocolors';
import type { AuditReport, Finding, Status, Witness } from '../audit/types';
import { evidenceLines, firewallLabel, verdictSummary, waiverScope, waiverState, warningLocation } from './common';

type Colors = Pick<typeof pc, 'red' | 'green' | 'yellow' | 'cyan' | 'dim' | 'bold' | 'magenta'>;

const plain: Colors = { red: String, green: String, yellow: String, cyan: String, dim: String, bold: String, magenta: String };

export function witnessText(w: Witness | null): string {
  if (!w) return '';
  const ports = w.dport !== undefined ? `:${w.dport}` : '';
  const sport = w.sport !== undefined ? `:${w.sport}` : '';
  const icmp = w.icmpType !== undefined ? ` type ${w.icmpType}/${w.icmpCode}` : '';
  const ifaces = [w.in ? `in ${w.in}` : '', w.out ? `out ${w.out}` : ''].filter(Boolean).join(' ');
  return `${w.proto} ${w.src}${sport} -> ${w.dst}${ports}${icmp}${ifaces ? ` (${ifaces})` : ''}${w.chain ? ` [${w.chain}]` : ''}`;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - text.length));
}

export function renderText(report: AuditReport, options: { color: boolean }): string {
  const c: Colors = options.color ? pc : plain;
  const statusColor: Record<Status, (s: string) => string> = {
    allowed: c.green,
    partial: c.yellow,
    denied: c.red,
    undetermined: c.magenta,
    'not-applicable': c.dim,
  };
  const lines: string[] = [];
  lines.push(
    c.bold(
      `fwmatrix ${report.tool.version} — ${report.matrix.title} (${report.matrix.id}${report.matrix.version ? ` ${report.matrix.version}` : ''})`,
    ),
  );
  for (const fw of report.firewalls)
    lines.push(`  firewall ${c.bold(fw.name)}: ${fw.type}, ${fw.placement}, ${fw.rules} rules, ${(fw.files ?? [fw.file]).join(', ')}`);
  for (const e of report.errors)
    lines.push(`  firewall ${c.bold(e.firewall)}: ${c.red('not audited')}: ${warningLocation(e)}: ${e.message}`);
  const definedAny = report.roles.find((r) => r.id === 'any');
  if (definedAny) lines.push(`  role "any" is defined by the deployment as ${definedAny.addresses.join(', ')}`);
  lines.push('');

  const widths = {
    firewall: Math.max(8, ...report.results.map((r) => firewallLabel(r).length)),
    requirement: Math.max(11, ...report.results.map((r) => r.requirement.length)),
    status: 14,
  };
  lines.push(
    c.bold(
      `${pad('FIREWALL', widths.firewall)}  ${pad('REQUIREMENT', widths.requirement)}  ${pad('STATUS', widths.status)}  FLOW / DECIDED BY`,
    ),
  );
  for (const r of report.results) {
    // A firewall of several files (IPv4 and IPv6) names the file of each line.
    const files = new Set(r.decidedBy.map((d) => d.file));
    const by = r.decidedBy.map((d) => (files.size > 1 ? `${d.file}:${d.line}` : `line ${d.line}`)).join(', ');
    const detail = `${r.flow}${r.optional ? ' (optional)' : ''}${by ? c.dim(` — ${by}`) : ''}`;
    lines.push(
      `${pad(firewallLabel(r), widths.firewall)}  ${pad(r.requirement, widths.requirement)}  ${statusColor[r.status](pad(r.status, widths.status))}  ${detail}`,
    );
  }
  lines.push('');

  const sevColor = { high: c.red, medium: c.yellow, low: c.cyan };
  const showFinding = (f: Finding, suppressed: boolean): void => {
    const head = `${sevColor[f.severity](pad(f.severity.toUpperCase(), 6))} ${c.bold(f.kind)} ${firewallLabel(f)}${f.requirement ? ` ${f.requirement}` : ''}`;
    lines.push(suppressed ? c.dim(`${head} (suppressed: ${f.suppressedBy})`) : head);
    lines.push(`       ${f.message}`);
    if (f.rule) lines.push(c.dim(`       ${f.rule.file}:${f.rule.line}: ${f.rule.text}`));
    if (f.witness) lines.push(`       witness: ${witnessText(f.witness)}`);
    if (f.errata?.length) lines.push(c.dim(`       see erratum ${f.errata.map((e) => e.id).join(', ')}`));
    lines.push(c.dim(`       fingerprint ${f.fingerprint}`));
  };
  if (report.findings.length === 0) lines.push(c.green('No findings.'));
  else {
    lines.push(c.bold(`Findings (${report.findings.length}):`));
    for (const f of report.findings) showFinding(f, false);
  }
  if (report.suppressed.length > 0) {
    lines.push('', c.bold(`Suppressed (${report.suppressed.length}):`));
    for (const f of report.suppressed) showFinding(f, true);
  }

  if (report.warnings.length > 0) {
    lines.push('', c.bold(`Warnings (${report.warnings.length}):`));
    for (const w of report.warnings) lines.push(`  ${c.yellow('warning')} ${w.firewall}: ${warningLocation(w)}: ${w.message}`);
  }

  const cited = new Set(report.results.flatMap((r) => r.errata.map((e) => e.id)));
  const errata = report.errata.filter((e) => cited.has(e.id));
  if (errata.length > 0) {
    lines.push('', c.bold('Notes on the source documents (errata):'));
    for (const e of errata) lines.push(`  ${e.id} — ${e.title}: ${e.text}`);
  }
  if (report.waivers.length > 0) {
    lines.push('', c.bold(`Waivers (${report.waivers.length}):`));
    for (const w of report.waivers) {
      const state = waiverState(w);
      lines.push(
        `  ${w.status === 'applied' ? state : c.yellow(state)}: ${waiverScope(w)} (${w.file}${w.line ? `:${w.line}` : ''}): ${w.reason}`,
      );
    }
  }
  lines.push('', c.bold('Evidence:'), ...evidenceLines(report).map((line) => `  ${line}`));
  lines.push('', renderVerdictLine(report, options));
  return lines.join('\n') + '\n';
}

/** The verdict line every format ends with, its verdict word in colour when asked. */
export function renderVerdictLine(report: AuditReport, options: { color: boolean }): string {
  const c: Colors = options.color ? pc : plain;
  // PASS and FAIL are four letters: the rest is the counts as every format says them.
  return (report.verdict === 'pass' ? c.green('PASS') : c.red('FAIL')) + verdictSummary(report).slice(4);
}
