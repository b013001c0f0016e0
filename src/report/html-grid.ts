/**
 * The matrix as a grid: one row per requirement, one column per firewall (per firewall and variant
 * when its results have variants, such as Windows profiles), each cell coloured by its status. A
 * cell names its deciding rules' lines; its title (on hover) and its disclosure (on click) give
 * the rules' text, the reasons and the witness. The rules the grid cites follow it, for paper.
 */
import * as path from 'node:path';
import type { AuditReport, RequirementResult, Status } from '../audit/types';
import type { SourceRef } from '../model/policy';
import { firewallLabel, sourceLocation } from './common';
import { cell, code, element, table, text } from './html-markup';
import { witnessText } from './text';

const STATUSES: readonly Status[] = ['allowed', 'partial', 'denied', 'undetermined', 'not-applicable'];

export interface GridColumn {
  firewall: string;
  variant?: string;
}

interface GridRow {
  requirement: string;
  flow: string;
  optional: boolean;
  errata: string[];
}

function columnKey(entry: { firewall: string; variant?: string }): string {
  return `${entry.firewall}\u0000${entry.variant ?? ''}`;
}

/** The report's firewalls in its order, each once per variant its results carry (in their order). */
export function gridColumns(report: AuditReport): GridColumn[] {
  const columns = new Map<string, GridColumn>();
  for (const fw of report.firewalls) {
    const results = report.results.filter((r) => r.firewall === fw.name);
    if (results.length === 0) columns.set(columnKey({ firewall: fw.name }), { firewall: fw.name });
    for (const r of results)
      columns.set(columnKey(r), { firewall: r.firewall, ...(r.variant !== undefined ? { variant: r.variant } : {}) });
  }
  return [...columns.values()];
}

function gridRows(report: AuditReport): GridRow[] {
  const rows = new Map<string, GridRow>();
  for (const r of report.results) {
    if (rows.has(r.requirement)) continue;
    rows.set(r.requirement, { requirement: r.requirement, flow: r.flow, optional: r.optional === true, errata: r.errata.map((e) => e.id) });
  }
  return [...rows.values()];
}

/** How the report names a firewall's files next to its name: by their base names, unless two of them share one. */
export type FileNames = (firewall: string, file: string) => string;

export function fileNames(report: AuditReport): FileNames {
  const names = new Map<string, Map<string, string>>();
  for (const fw of report.firewalls) {
    const files = [
      ...new Set([
        ...(fw.files ?? [fw.file]),
        ...report.results.filter((r) => r.firewall === fw.name).flatMap((r) => r.decidedBy.map((ref) => ref.file)),
      ]),
    ];
    const bases = files.map((file) => path.basename(file));
    names.set(fw.name, new Map(files.map((file, i) => [file, bases.indexOf(bases[i]) === bases.lastIndexOf(bases[i]) ? bases[i] : file])));
  }
  return (firewall, file) => names.get(firewall)?.get(file) ?? file;
}

/** Deciding rules, short: `director01.rules:14` or, several in one file, `core-gw.rules:4, 17`. */
function shortLocations(refs: readonly SourceRef[], name: (file: string) => string): string {
  const byFile = new Map<string, number[]>();
  for (const ref of refs) byFile.set(name(ref.file), [...(byFile.get(name(ref.file)) ?? []), ref.line]);
  return [...byFile].map(([file, lines]) => `${file}:${lines.join(', ')}`).join('; ');
}

function fullLocation(ref: SourceRef): string {
  return `${sourceLocation(ref)}${ref.path ? ` at ${ref.path}` : ''}`;
}

/** The hover text: status, each deciding rule with its text, the reasons, the witness. */
function cellTitle(result: RequirementResult): string {
  const lines = [`${result.requirement} on ${firewallLabel(result)}: ${result.status}`];
  for (const ref of result.decidedBy) lines.push(`${fullLocation(ref)}  ${ref.text}`);
  lines.push(...result.reasons);
  if (result.witness) lines.push(`e.g. ${witnessText(result.witness)}`);
  return lines.join('\n');
}

/** A rule as the report shows it next to its firewall: `director01.rules:3` (and its XML path), then its text. */
export function ruleWithLocation(ref: SourceRef, fileName: string): string {
  return `<code class="location">${text(`${fileName}:${ref.line}`)}</code>${ref.path ? ` at ${code(ref.path)}` : ''} ${code(ref.text)}`;
}

function cellDetails(result: RequirementResult, rowFlow: string, names: FileNames): string {
  const parts: string[] = [];
  if (result.flow !== rowFlow) parts.push(`<p>${text(result.flow)}</p>`);
  for (const ref of result.decidedBy) parts.push(`<p class="rule">${ruleWithLocation(ref, names(result.firewall, ref.file))}</p>`);
  for (const why of result.reasons) parts.push(`<p class="reason">${text(why)}</p>`);
  if (result.witness) parts.push(`<p class="witness">e.g. ${code(witnessText(result.witness))}</p>`);
  return parts.join('');
}

function gridCell(result: RequirementResult | undefined, column: GridColumn, row: GridRow, names: FileNames): string {
  const data = { 'data-firewall': column.firewall, 'data-variant': column.variant, 'data-requirement': row.requirement };
  if (!result) return element('td', { class: 'cell status-none', ...data }, '<span class="status">no result</span>');
  const label = `<span class="status">${text(result.status)}</span>`;
  const where =
    result.decidedBy.length > 0
      ? `<span class="where">${text(shortLocations(result.decidedBy, (file) => names(column.firewall, file)))}</span>`
      : '';
  const details = cellDetails(result, row.flow, names);
  const content = details ? `<details><summary>${label}${where}</summary><div class="decided">${details}</div></details>` : label;
  return element('td', { class: `cell status-${result.status}`, title: cellTitle(result), ...data }, content);
}

function columnHeader(column: GridColumn): string {
  const variant = column.variant !== undefined ? `<span class="variant">${text(column.variant)}</span>` : '';
  return `<th scope="col" class="firewall-column"><span class="firewall-name">${text(column.firewall)}</span>${variant}</th>`;
}

function rowHeader(row: GridRow): string {
  const notes = [
    row.optional ? '<span class="tag">optional</span>' : '',
    ...row.errata.map((id) => `<span class="tag">${text(id)}</span>`),
  ];
  return `<th scope="row" class="requirement"><span class="requirement-id">${text(row.requirement)}</span>${notes.join('')}<span class="flow">${text(row.flow)}</span></th>`;
}

/** The requirement × firewall grid. */
export function matrixGrid(report: AuditReport): string {
  const columns = gridColumns(report);
  const names = fileNames(report);
  const results = new Map(report.results.map((r) => [`${columnKey(r)}\u0000${r.requirement}`, r]));
  const head = `<tr><th scope="col">Requirement and flow</th>${columns.map(columnHeader).join('')}</tr>`;
  const body = gridRows(report).map(
    (row) =>
      `<tr>${rowHeader(row)}${columns.map((column) => gridCell(results.get(`${columnKey(column)}\u0000${row.requirement}`), column, row, names)).join('')}</tr>`,
  );
  // The firewalls' columns share a fixed part of the width, the requirements the rest: left to the
  // table, the long flows would squeeze the cells until their line numbers split.
  const share = Math.min(22, 66 / Math.max(columns.length, 1)).toFixed(2);
  const widths = `<colgroup><col/>${columns.map(() => `<col style="width: ${share}%"/>`).join('')}</colgroup>`;
  return `<table class="grid">\n${widths}\n<thead>${head}</thead>\n<tbody>\n${body.join('\n')}\n</tbody>\n</table>`;
}

/** Each rule that decides some cell, once per firewall (a row group each), with the requirements it decides. */
export function decidingRules(report: AuditReport): string {
  const names = fileNames(report);
  const groups = report.firewalls.map((fw) => {
    // Requirement → the variants in which the rule decides it (none for a firewall without variants).
    const rules = new Map<string, { ref: SourceRef; decides: Map<string, string[]> }>();
    for (const r of report.results.filter((result) => result.firewall === fw.name)) {
      for (const ref of r.decidedBy) {
        const key = `${ref.file}\u0000${ref.line}\u0000${ref.path ?? ''}`;
        const entry = rules.get(key) ?? { ref, decides: new Map<string, string[]>() };
        entry.decides.set(r.requirement, [...(entry.decides.get(r.requirement) ?? []), ...(r.variant !== undefined ? [r.variant] : [])]);
        rules.set(key, entry);
      }
    }
    const sorted = [...rules.values()].sort((a, b) => a.ref.file.localeCompare(b.ref.file) || a.ref.line - b.ref.line);
    if (sorted.length === 0) return '';
    const rows = sorted.map(({ ref, decides }) => {
      const ids = [...decides]
        .map(([id, variants]) => `<span class="requirement-id">${text(variants.length > 0 ? `${id} (${variants.join(', ')})` : id)}</span>`)
        .join(', ');
      return `<tr>${cell(ruleWithLocation(ref, names(fw.name, ref.file)))}${cell(ids, 'decides')}</tr>`;
    });
    return `<tbody>\n<tr><th scope="rowgroup" colspan="2" class="group">${text(fw.name)}</th></tr>\n${rows.join('\n')}\n</tbody>`;
  });
  const head = '<tr><th scope="col">Rule</th><th scope="col">Decides</th></tr>';
  return `<table class="rules">\n<thead>${head}</thead>\n${groups.filter(Boolean).join('\n')}\n</table>`;
}

/** Results per status in each column and in all: the grid's legend. */
export function statusCounts(report: AuditReport): string {
  const columns = gridColumns(report);
  const rows = STATUSES.map((status) => {
    const of = (column: GridColumn | null) =>
      report.results.filter((r) => r.status === status && (column === null || columnKey(r) === columnKey(column))).length;
    return [
      `<th scope="row"><span class="swatch status-${status}"></span>${text(status)}</th>`,
      ...columns.map((column) => cell(String(of(column)), 'number')),
      cell(`<strong>${of(null)}</strong>`, 'number'),
    ];
  });
  return table(['Status', ...columns.map(firewallLabel), 'All'], rows, 'counts');
}
