/** The Markdown report: its tables hold every firewall, result and finding, and rule text stays verbatim. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditReport } from '../../src/audit/types';
import { renderReport } from '../../src/report';
import { codeSpan, markdownText } from '../../src/report/markdown';
import { exampleReport, findingOf } from './support';

function markdownOf(report: AuditReport): string[] {
  return renderReport(report, 'markdown', { color: false }).trimEnd().split('\n');
}

/** A table row's cells: a pipe ends a cell unless backslash-escaped (inside code spans too, in GFM). */
function cells(row: string): string[] {
  assert.match(row, /^\| .* \|$/);
  return row
    .slice(2, -2)
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

/** The rows (as cells) of the table whose header row is `header`. */
function tableRows(lines: string[], header: string, from = 0): string[][] {
  const start = lines.indexOf(header, from);
  assert.ok(start >= 0, `no table with header ${header}`);
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i].startsWith('|'); i++) rows.push(cells(lines[i]));
  return rows;
}

const FINDINGS_HEADER = '| Kind | Firewall | Requirement | Rule | Witness | Message |';

test('the firewalls and every requirement result are table rows', async () => {
  const report = await exampleReport();
  const lines = markdownOf(report);
  assert.equal(lines[0], '## fwmatrix audit: ❌ FAIL');
  assert.deepEqual(
    tableRows(lines, '| Firewall | Type | Placement | Rules | Configuration |').map((row) => row.slice(0, 4)),
    report.firewalls.map((fw) => [fw.name, fw.type, fw.placement, String(fw.rules)]),
  );
  const results = tableRows(lines, '| Firewall | Requirement | Status | Flow | Decided by |');
  assert.equal(results.length, report.results.length);
  results.forEach((row, i) => {
    const r = report.results[i];
    assert.equal(row.length, 5);
    assert.deepEqual(row.slice(0, 2), [markdownText(r.firewall), markdownText(r.requirement)]);
    assert.ok(row[2].endsWith(r.status.replace('-', ' ')), `${row[2]} is ${r.status}`);
    assert.equal(row[4], r.decidedBy.map((ref) => `\`${ref.file}:${ref.line}\``).join(', '));
  });
});

test('findings are grouped by severity, most severe first, each at its rule with its witness', async () => {
  const report = await exampleReport();
  const lines = markdownOf(report);
  const headings = lines.filter((l) => l.startsWith('#### '));
  const count = (s: string) => report.findings.filter((f) => f.severity === s).length;
  assert.deepEqual(headings, [`#### High (${count('high')})`, `#### Medium (${count('medium')})`, `#### Low (${count('low')})`]);
  for (const heading of headings) {
    const severity = heading.split(' ')[1].toLowerCase();
    const rows = tableRows(lines, FINDINGS_HEADER, lines.indexOf(heading));
    const expected = report.findings.filter((f) => f.severity === severity);
    assert.equal(rows.length, expected.length);
    rows.forEach((row, i) => {
      const f = expected[i];
      assert.equal(row[0], f.kind);
      assert.ok(f.rule);
      assert.ok(row[3].startsWith(`\`${f.rule.file}:${f.rule.line}\` `), row[3]);
      assert.ok(row[5].startsWith(markdownText(f.message)));
    });
  }
  const denied = findingOf(report, 'missing', 'director01', { requirement: 'rp-director-https' });
  const deniedRow = tableRows(lines, FINDINGS_HEADER, lines.indexOf(headings[0])).find((row) => row[2] === 'rp-director-https');
  assert.equal(deniedRow?.[4], '`tcp 192.0.2.10:40000 -> 198.51.100.11:4443 [INPUT]`');
  assert.equal(deniedRow?.[3], `\`${denied.rule?.file}:3\` \`:INPUT DROP\``);
});

test('the cited errata close the report, then the verdict', async () => {
  const report = await exampleReport();
  const lines = markdownOf(report);
  const notes = lines.filter((l) => l.startsWith('- **'));
  assert.deepEqual(
    notes.map((l) => l.slice(4, l.indexOf('**', 4))),
    ['E1', 'E2', 'E5'],
  );
  assert.ok(lines.indexOf('### Notes on the source documents (errata)') > lines.findIndex((l) => l.startsWith('#### Low')));
  const count = (s: string) => report.findings.filter((f) => f.severity === s).length;
  assert.equal(
    lines.at(-1),
    `**FAIL (fail on medium): ${count('high')} high, ${count('medium')} medium, ${count('low')} low; 0 suppressed**`,
  );
});

test('a rule text with pipes and backticks stays one cell, verbatim in its code span', async () => {
  const report = await exampleReport();
  const finding = findingOf(report, 'extraneous', 'director01', { line: 20 });
  assert.ok(finding.rule);
  finding.rule.text = '-A MGMT -m comment --comment "ops|admin `jump` host" -j ACCEPT';
  finding.message = 'lets *any* <b>admin</b> in | out';
  const lines = markdownOf(report);
  const row = tableRows(
    lines,
    FINDINGS_HEADER,
    lines.findIndex((l) => l.startsWith('#### Medium')),
  ).find((r) => r[3].includes(':20`'));
  assert.ok(row, 'the edited finding has a row');
  assert.equal(row.length, 6, 'the pipes did not split the row');
  assert.equal(row[3], `\`${finding.rule.file}:20\` \`\`-A MGMT -m comment --comment "ops\\|admin \`jump\` host" -j ACCEPT\`\``);
  assert.equal(row[5], 'lets \\*any\\* \\<b\\>admin\\</b\\> in \\| out');
});

test('code spans take a fence longer than any backtick run, padded where the text touches it', () => {
  assert.equal(codeSpan('plain', 'block'), '`plain`');
  assert.equal(codeSpan('a ``double`` b', 'block'), '```a ``double`` b```');
  assert.equal(codeSpan('`edge`', 'block'), '`` `edge` ``');
  assert.equal(codeSpan('a|b', 'block'), '`a|b`');
  assert.equal(codeSpan('a|b\nc', 'table'), '`a\\|b c`');
});

test('a report too large for a GitHub comment keeps its most severe findings and says how many rows it left out', async () => {
  const report = await exampleReport();
  const many = Array.from({ length: 3000 }, (_, i) => ({
    ...report.findings[i % report.findings.length],
    fingerprint: `f${i}`,
    message: `${report.findings[i % report.findings.length].message} (${i})`,
  }));
  const big = {
    ...report,
    findings: [...many].sort((a, b) => ['high', 'medium', 'low'].indexOf(a.severity) - ['high', 'medium', 'low'].indexOf(b.severity)),
  };
  const markdown = renderReport(big, 'markdown', { color: false });
  assert.ok(markdown.length <= 65_536, `${markdown.length} characters`);
  const cut = Number(/_(\d+) table rows are not shown, to keep this under GitHub's comment size/.exec(markdown)?.[1]);
  const shownFindings = markdown
    .split('\n')
    .filter((l) => /^\| (missing|overly-broad|extraneous|shadowed|undetermined|unfiltered) \|/.test(l)).length;
  const shownResults = markdown.split('\n').filter((l) => / \| (✅|⚠️|❌|❓|➖) /.test(l)).length;
  assert.equal(shownFindings + shownResults + cut, big.findings.length + big.results.length);
  // The budget goes to the most severe findings first: here it ends among the high ones.
  const high = big.findings.filter((f) => f.severity === 'high').length;
  assert.ok(shownFindings > 100 && shownFindings < high, `${shownFindings} of ${high} high findings shown`);
  assert.match(markdown, new RegExp(`#### Medium \\(${big.findings.filter((f) => f.severity === 'medium').length}\\)`));
  assert.match(markdown, /\*\*FAIL \(fail on medium\): /);
});
