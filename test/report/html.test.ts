/** The HTML report: one well-formed, self-contained page in which no report string is markup. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { auditDeployment } from '../../src/app/audit';
import type { AuditReport } from '../../src/audit/types';
import { renderReport } from '../../src/report';
import { escapeHtml } from '../../src/report/html';
import { tempTree } from '../helpers/cli';
import { assertValidHtml, htmlValidator } from '../helpers/html-check';
import { FIXTURES_DIR } from '../helpers/paths';
import { exampleReport, findingOf, suppress } from './support';

function htmlOf(report: AuditReport): string {
  const html = renderReport(report, 'html', { color: false });
  assertValidHtml(html);
  return html;
}

/** The HTML of `<section id="ID">`, or '' when the page has none. */
function sectionOf(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}"`);
  return start < 0 ? '' : html.slice(start, html.indexOf('</section>', start) + '</section>'.length);
}

/** The grid's cells as `firewall|variant|requirement → status`, read from the markup. */
function gridCells(html: string): Map<string, string> {
  const grid = html.slice(html.indexOf('<table class="grid">'), html.indexOf('</table>', html.indexOf('<table class="grid">')));
  const cells = new Map<string, string>();
  for (const m of grid.matchAll(
    /<td class="cell status-([a-z-]+)"[^>]*?data-firewall="([^"]*)"(?: data-variant="([^"]*)")? data-requirement="([^"]*)"/g,
  ))
    cells.set(`${m[2]}|${m[3] ?? ''}|${m[4]}`, m[1]);
  return cells;
}

test('the grid holds every result once, coloured by its status, and the summary counts them', async () => {
  const report = await exampleReport();
  const html = htmlOf(report);
  const cells = gridCells(html);
  assert.equal(cells.size, report.results.length);
  for (const r of report.results) assert.equal(cells.get(`${r.firewall}||${r.requirement}`), r.status, `${r.firewall} ${r.requirement}`);
  assert.equal(cells.get('director01||rp-director-https'), 'denied');
  assert.equal(cells.get('core-gw||cls-50001'), 'partial');
  assert.equal(cells.get('core-gw||director-fe-https'), 'not-applicable');

  const grid = html.slice(html.indexOf('<table class="grid">'), html.indexOf('</table>', html.indexOf('<table class="grid">')));
  assert.equal(grid.match(/<th scope="row" class="requirement">/g)?.length, new Set(report.results.map((r) => r.requirement)).size);
  assert.deepEqual(
    [...grid.matchAll(/<span class="firewall-name">([^<]*)<\/span>/g)].map((m) => m[1]),
    ['director01', 'core-gw'],
  );
  // The denied cell names its deciding line, and its title and disclosure give the rule's text.
  assert.match(
    grid,
    /<td class="cell status-denied" title="rp-director-https on director01: denied\nfixtures\/example\/configs\/director01.rules:3 {2}:INPUT DROP\ne\.g\. tcp 192\.0\.2\.10:40000 -&gt; 198\.51\.100\.11:4443 \[INPUT\]"/,
  );
  assert.ok(grid.includes('<summary><span class="status">denied</span><span class="where">director01.rules:3</span></summary>'));
  assert.ok(grid.includes('<span class="where">core-gw.rules:4, 17</span>'), 'several lines of one file');

  const summary = sectionOf(html, 'summary');
  assert.match(
    summary,
    /<th scope="row"><span class="swatch status-allowed"><\/span>allowed<\/th><td class="number">9<\/td><td class="number">10<\/td><td class="number"><strong>19<\/strong><\/td>/,
  );
  assert.match(
    summary,
    /<span class="badge severity-high">high<\/span><\/th><td class="number">4<\/td><td class="effect">fails the run<\/td>/,
  );
  assert.match(
    summary,
    /<span class="badge severity-low">low<\/span><\/th><td class="number">3<\/td><td class="effect"><span class="muted">reported only<\/span>/,
  );
  assert.match(summary, /<p class="verdict-fail"><strong>FAIL \(fail on medium\): 4 high, 9 medium, 3 low; 0 suppressed<\/strong><\/p>/);
  assert.ok(
    summary.includes(
      '<th scope="row">core-gw</th><td>iptables</td><td>network</td><td class="number">15</td><td><code>fixtures/example/configs/core-gw.rules</code></td>',
    ),
  );
});

test('the deciding rules list each cited rule once per firewall with what it decides', async () => {
  const report = await exampleReport();
  const rules = sectionOf(htmlOf(report), 'matrix').split('<table class="rules">')[1];
  assert.ok(rules.includes('<th scope="rowgroup" colspan="2" class="group">director01</th>'));
  assert.ok(
    rules.includes(
      '<tr><td><code class="location">director01.rules:5</code> <code>:OUTPUT ACCEPT</code></td><td class="decides"><span class="requirement-id">director-fe-https</span>, <span class="requirement-id">director-edge-sip</span></td></tr>',
    ),
  );
  const cited = new Set(report.results.flatMap((r) => r.decidedBy.map((ref) => `${r.firewall} ${ref.file}:${ref.line}`)));
  assert.equal(rules.match(/<code class="location">/g)?.length, cited.size);
});

test('findings are grouped by firewall, most severe first, with rule, witness and fingerprint', async () => {
  const report = await exampleReport();
  const findings = sectionOf(htmlOf(report), 'findings');
  for (const f of report.findings) assert.ok(findings.includes(`<code>${f.fingerprint}</code>`), f.fingerprint);
  const director = findings.slice(findings.indexOf('<h3>director01'), findings.indexOf('<h3>core-gw'));
  const core = findings.slice(findings.indexOf('<h3>core-gw'));
  assert.ok(director.includes('iptables · host · 6 findings'));
  assert.ok(core.includes('iptables · network · 10 findings'));
  for (const f of report.findings) assert.ok((f.firewall === 'director01' ? director : core).includes(f.fingerprint));
  const severities = [...core.matchAll(/<article class="finding severity-(\w+)">/g)].map((m) => m[1]);
  assert.deepEqual(
    severities,
    [...severities].sort((a, b) => ['high', 'medium', 'low'].indexOf(a) - ['high', 'medium', 'low'].indexOf(b)),
  );

  const missing = findingOf(report, 'missing', 'director01', { requirement: 'rp-director-https' });
  const card = director.slice(director.indexOf('<article'), director.indexOf('</article>'));
  assert.ok(
    card.includes(
      '<span class="badge severity-high">high</span><span class="kind">missing</span><span class="muted">requirement rp-director-https</span>',
    ),
  );
  assert.ok(card.includes(escapeHtml(missing.message)));
  assert.ok(card.includes('<dt>Rule</dt><dd><code class="location">director01.rules:3</code> <code>:INPUT DROP</code></dd>'));
  assert.ok(card.includes('<dt>Witness</dt><dd><code>tcp 192.0.2.10:40000 -&gt; 198.51.100.11:4443 [INPUT]</code></dd>'));
});

test('suppressed findings stand apart, with what suppressed them, and count in the summary', async () => {
  const report = await exampleReport();
  const waived = findingOf(report, 'extraneous', 'director01', { line: 20 });
  suppress(report, waived, 'waiver: admin workstations reach SSH (CHG-1234)');
  const html = htmlOf(report);
  assert.ok(!sectionOf(html, 'findings').includes(waived.fingerprint));
  const suppressed = sectionOf(html, 'suppressed');
  assert.ok(suppressed.includes('<h2>Suppressed findings (1)</h2>'));
  assert.ok(suppressed.includes(`<code>${waived.fingerprint}</code>`));
  assert.ok(suppressed.includes('<dt>Suppressed by</dt><dd>waiver: admin workstations reach SSH (CHG-1234)</dd>'));
  assert.match(sectionOf(html, 'summary'), /<th scope="row">suppressed<\/th><td class="number">1<\/td>/);
  assert.equal(sectionOf(htmlOf(await exampleReport()), 'suppressed'), '', 'no section without suppressed findings');
});

test('warnings and the cited errata have their sections; the sign-off block is there for paper', async () => {
  const report = await exampleReport();
  report.warnings.push({
    firewall: 'core-gw',
    file: 'fixtures/example/configs/core-gw.rules',
    line: 9,
    message: 'the module "<u32>" is not modelled',
  });
  report.warnings.push({ firewall: 'pf', file: 'config.xml', line: 40, path: '/pfsense/filter/rule[3]', message: 'schedule ignored' });
  const html = htmlOf(report);
  const warnings = sectionOf(html, 'warnings');
  assert.ok(
    warnings.includes(
      '<td>core-gw</td><td><code>fixtures/example/configs/core-gw.rules:9</code></td><td>the module &quot;&lt;u32&gt;&quot; is not modelled</td>',
    ),
  );
  assert.ok(warnings.includes('<code>config.xml:40 at /pfsense/filter/rule[3]</code>'));
  assert.equal(sectionOf(htmlOf(await exampleReport()), 'warnings'), '', 'no section without warnings');

  const errata = sectionOf(html, 'errata');
  for (const id of ['E1', 'E2', 'E5']) assert.ok(errata.includes(`<dt><strong>${id}</strong>`));
  assert.ok(!html.includes('<strong>E3</strong>'), 'uncited errata are left out');

  const signOff = sectionOf(html, 'sign-off');
  for (const field of ['Reviewer', 'Date', 'Decision', 'Signature']) assert.ok(signOff.includes(`<th scope="row">${field}</th>`), field);
  for (const decision of ['Accepted', 'Accepted with waivers', 'Rejected'])
    assert.ok(signOff.includes(`<span class="choice"><span class="box"></span>${decision}</span>`), decision);
});

test('the evidence names the time, the deployment and every file read with its digest; waivers show their state', () => {
  const waivers = path.join(
    tempTree({
      'waivers.yml': [
        '- kind: shadowed',
        '  reason: kept for the next change window',
        '- kind: extraneous',
        '  firewall: core-gw',
        '  reason: RDP for the <admins>',
        '  expires: 2026-11-30',
        '- firewall: edge-gw',
        '  reason: the old edge firewall',
        '',
      ].join('\n'),
    }),
    'waivers.yml',
  );
  const deployment = path.join(FIXTURES_DIR, 'example', 'fwmatrix.yml');
  const report = auditDeployment(deployment, { failOn: 'medium', waivers, now: new Date('2026-12-01T09:30:00.000Z') });
  const html = htmlOf(report);

  const summary = sectionOf(html, 'summary');
  assert.ok(summary.includes('<tr><th scope="row">Audited</th><td>2026-12-01T09:30:00.000Z</td></tr>'));
  assert.ok(summary.includes(`<tr><th scope="row">Deployment</th><td><code>${report.evidence.deployment?.file}</code></td></tr>`));
  assert.ok(summary.includes('<tr><th scope="row">Matrix</th><td><code>lync2013-director-single</code> version 1.0.0</td></tr>'));
  assert.ok(summary.includes('<tr><th scope="row">Waivers</th><td>1 applied, 1 expired, 1 stale</td></tr>'));
  assert.match(summary, /1 suppressed; waivers 1 expired, 1 stale<\/strong><\/p>/);

  const evidence = sectionOf(html, 'evidence');
  assert.ok(evidence.includes('Audited 2026-12-01T09:30:00.000Z by fwmatrix'));
  const coreGw = path.join(FIXTURES_DIR, 'example', 'configs', 'core-gw.rules');
  const digest = createHash('sha256').update(fs.readFileSync(coreGw)).digest('hex');
  const input = report.evidence.inputs.find((i) => i.firewall === 'core-gw');
  assert.ok(
    evidence.includes(
      `<tr><td>core-gw: configuration</td><td><code>${input?.file}</code><br/><code class="digest">${digest}</code></td><td class="number">${fs.statSync(coreGw).size}</td></tr>`,
    ),
  );
  assert.ok(evidence.includes(`<td>matrix lync2013-director-single 1.0.0</td><td><code>${report.evidence.matrix.file}</code><br/>`));
  assert.ok(evidence.includes(`<td>waivers</td><td><code>${report.evidence.waivers?.file}</code><br/>`));
  assert.equal(evidence.match(/<code class="digest">/g)?.length, 5, 'deployment, two configurations, matrix, waivers');

  const listed = sectionOf(html, 'waivers');
  assert.ok(listed.includes('<h2>Waivers (3)</h2>'));
  assert.ok(listed.includes('<td class="waiver-applied">applied to 1 finding</td><td>kind shadowed</td>'));
  assert.ok(
    listed.includes(
      `<td class="waiver-expired">expired 2026-11-30 (1 finding count again)</td><td>firewall core-gw, kind extraneous</td><td><code>${report.waivers[1].file}:3</code></td><td>RDP for the &lt;admins&gt;</td>`,
    ),
  );
  assert.ok(listed.includes('<td class="waiver-stale">stale: matches no finding</td><td>firewall edge-gw</td>'));
  assert.equal(sectionOf(htmlOf({ ...report, waivers: [] }), 'waivers'), '', 'no section without waivers');
  fs.rmSync(path.dirname(waivers), { recursive: true, force: true });
});

test('a firewall whose configuration could not be used is named first thing, with where and why', async () => {
  const report = await exampleReport();
  assert.equal(sectionOf(htmlOf(report), 'summary').includes('not-audited'), false);
  report.errors = [
    { firewall: 'edge-gw', file: 'configs/edge-gw.xml', line: 12, path: '/pfsense/filter/rule[2]', message: 'expected <type> pass|block' },
  ];
  const summary = sectionOf(htmlOf(report), 'summary');
  assert.ok(summary.includes('<h3>1 firewall not audited: edge-gw</h3>'));
  assert.ok(
    summary.includes(
      '<tr><td>edge-gw</td><td><code>configs/edge-gw.xml:12 at /pfsense/filter/rule[2]</code></td><td>expected &lt;type&gt; pass|block</td></tr>',
    ),
  );
  assert.ok(summary.indexOf('not-audited') < summary.indexOf('<h3>Audit</h3>'), 'before the overview');
  assert.ok(summary.includes('<tr><th scope="row">Not audited</th><td>edge-gw</td></tr>'));
});

test('a firewall whose results have variants gets a column per variant', async () => {
  const report = await exampleReport();
  const coreGw = report.results.filter((r) => r.firewall === 'core-gw');
  report.results = [
    ...report.results.filter((r) => r.firewall !== 'core-gw'),
    ...['domain', 'public'].flatMap((variant) =>
      coreGw.map((r) => ({ ...r, variant, status: variant === 'public' ? ('denied' as const) : r.status })),
    ),
  ];
  const html = htmlOf(report);
  const cells = gridCells(html);
  assert.equal(cells.size, report.results.length);
  assert.equal(cells.get('core-gw|domain|cls-50001'), 'partial');
  assert.equal(cells.get('core-gw|public|cls-50001'), 'denied');
  assert.equal(cells.get('director01||cls-50001'), 'allowed');
  assert.ok(
    html.includes(
      '<th scope="col" class="firewall-column"><span class="firewall-name">core-gw</span><span class="variant">domain</span></th><th scope="col" class="firewall-column"><span class="firewall-name">core-gw</span><span class="variant">public</span></th>',
    ),
  );
  assert.ok(
    html.includes(
      '<th scope="col">Status</th><th scope="col">director01</th><th scope="col">core-gw (domain)</th><th scope="col">core-gw (public)</th>',
    ),
  );
  assert.ok(
    html.includes(
      '<span class="requirement-id">cls-50001 (domain, public)</span>, <span class="requirement-id">cls-50002 (domain, public)</span>',
    ),
  );
});

test('a quiet report says so: no findings, no deciding rules, a threshold nothing reaches', async () => {
  const report = await exampleReport();
  report.findings = report.findings.filter((f) => f.severity !== 'medium');
  let html = htmlOf(report);
  assert.match(
    sectionOf(html, 'summary'),
    /severity-medium">medium<\/span><\/th><td class="number">0<\/td><td class="effect">would fail the run<\/td>/,
  );

  report.findings = [];
  report.failOn = 'none';
  report.verdict = 'pass';
  for (const r of report.results) r.decidedBy = [];
  html = htmlOf(report);
  assert.ok(sectionOf(html, 'findings').includes('<h2>Findings (0)</h2>\n<p>No findings.</p>'));
  assert.ok(sectionOf(html, 'matrix').includes('<p class="muted">No rule decides any cell.</p>'));
  assert.ok(!html.includes('<table class="rules">'));
  assert.ok(html.includes('<div class="verdict verdict-pass"><strong>PASS</strong><span>no finding fails the run</span></div>'));
  assert.match(
    sectionOf(html, 'summary'),
    /severity-high">high<\/span><\/th><td class="number">0<\/td><td class="effect"><span class="muted">reported only<\/span>/,
  );
});

test('script tags and markup in rule text, messages and names come out as text', async () => {
  const report = await exampleReport();
  const finding = findingOf(report, 'extraneous', 'director01', { line: 20 });
  assert.ok(finding.rule);
  finding.rule.text = '-A MGMT -m comment --comment "<script>alert(1)</script>" -j ACCEPT';
  finding.message = `lets "x" & 'y' in <b onmouseover="alert(2)">`;
  report.matrix.title = '<img src=x onerror=alert(3)>';
  const result = report.results.find((r) => r.firewall === 'director01' && r.requirement === 'rp-director-http');
  assert.ok(result);
  result.decidedBy[0].text = '-A X -m comment --comment "\'><svg onload=alert(4)>" -j ACCEPT';
  result.requirement = '<i>req</i>';
  report.firewalls[0].name = '"><iframe>';
  for (const r of report.results) if (r.firewall === 'director01') r.firewall = '"><iframe>';
  const html = htmlOf(report);

  assert.doesNotMatch(html, /<script|<img|<b |<svg|<iframe|<i>/i);
  assert.ok(html.includes('<code>-A MGMT -m comment --comment &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot; -j ACCEPT</code>'));
  assert.ok(html.includes(escapeHtml(finding.message)));
  assert.ok(html.includes('data-firewall="&quot;&gt;&lt;iframe&gt;" data-requirement="&lt;i&gt;req&lt;/i&gt;"'));
  assert.ok(html.includes('&#39;&gt;&lt;svg onload=alert(4)&gt;'));
  assert.equal(escapeHtml(`"x" & 'y' <b>`), '&quot;x&quot; &amp; &#39;y&#39; &lt;b&gt;');
});

test('the HTML check refuses what the standard does not allow', () => {
  assert.equal(
    htmlValidator.validateStringSync('<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><p><div>x</div></p></body></html>')
      .valid,
    false,
  );
});

test('nothing is loaded from elsewhere, and the page says so to the browser', async () => {
  const html = htmlOf(await exampleReport());
  assert.doesNotMatch(html, /<script|<link|<iframe|<img|\ssrc=|url\(|@import|https?:\/\//i);
  assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/>`));
  assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">'));
});

test('only a token longer than 64 characters may break anywhere', async () => {
  const report = await exampleReport();
  const finding = findingOf(report, 'extraneous', 'director01', { line: 20 });
  assert.ok(finding.rule);
  const token = `--comment=${'y'.repeat(60)}`;
  finding.rule.text = `-A MGMT ${token} -j ACCEPT`;
  const html = htmlOf(report);
  assert.ok(html.includes(`<code>-A MGMT <span class="long">${token}</span> -j ACCEPT</code>`));
  const digest = 'a'.repeat(64);
  assert.ok(htmlOf({ ...report, matrix: { ...report.matrix, id: digest } }).includes(`<code>${digest}</code>`));
});

test('the stylesheet prints: headers repeat, rows stay whole, colours kept, rule text wraps only where it must', async () => {
  const style = htmlOf(await exampleReport()).match(/<style>([\s\S]*)<\/style>/)?.[1] ?? '';
  assert.match(style, /@page \{ margin: /);
  const print = style.slice(style.indexOf('@media print'));
  assert.match(print, /thead \{ display: table-header-group; \}/);
  assert.match(print, /tr, \.finding, [^{]*\{ break-inside: avoid; \}/);
  assert.match(style, /print-color-adjust: exact/);
  assert.match(style, /\.long, [^{]*\{ overflow-wrap: anywhere; \}/);
  assert.doesNotMatch(style, /break-all/);
});
