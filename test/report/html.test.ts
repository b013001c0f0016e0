/** The HTML report: one well-formed, self-contained page in which no report string is markup. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLValidator } from 'fast-xml-parser';
import type { AuditReport } from '../../src/audit/types';
import { renderReport } from '../../src/report';
import { escapeHtml } from '../../src/report/html';
import { exampleReport, findingOf } from './support';

function htmlOf(report: AuditReport): string {
  const html = renderReport(report, 'html', { color: false });
  // The page is written XHTML-compatible, so an XML check catches unbalanced or broken tags.
  const wellFormed = XMLValidator.validate(html);
  assert.equal(wellFormed, true, JSON.stringify(wellFormed));
  return html;
}

test('the page holds every result row, every finding and the verdict', async () => {
  const report = await exampleReport();
  const html = htmlOf(report);
  const resultsTable = html.slice(html.indexOf('<h2>Results</h2>'), html.indexOf('<h2>Findings'));
  assert.equal(resultsTable.match(/<tr><td>/g)?.length, report.results.length);
  for (const r of report.results)
    assert.ok(resultsTable.includes(`<td>${r.firewall}</td><td>${r.requirement}</td><td class="status-${r.status}">${r.status}</td>`));
  for (const f of report.findings) assert.ok(html.includes(`<code>${f.fingerprint}</code>`), f.fingerprint);
  for (const id of ['E1', 'E2', 'E5']) assert.ok(html.includes(`<dt><strong>${id}</strong>`));
  assert.ok(!html.includes('<strong>E3</strong>'), 'uncited errata are left out');
  assert.match(html, /<p class="verdict-fail"><strong>FAIL \(fail on medium\): \d+ high, \d+ medium, \d+ low; 0 suppressed<\/strong><\/p>/);
});

test('script tags and markup in rule text, messages and names come out as text', async () => {
  const report = await exampleReport();
  const finding = findingOf(report, 'extraneous', 'director01', { line: 20 });
  assert.ok(finding.rule);
  finding.rule.text = '-A MGMT -m comment --comment "<script>alert(1)</script>" -j ACCEPT';
  finding.message = `lets "x" & 'y' in <b onmouseover="alert(2)">`;
  report.matrix.title = '<img src=x onerror=alert(3)>';
  const html = htmlOf(report);

  assert.doesNotMatch(html, /<script|<img|<b /i);
  assert.ok(html.includes('<code>-A MGMT -m comment --comment &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot; -j ACCEPT</code>'));
  assert.ok(html.includes(escapeHtml(finding.message)));
  assert.equal(escapeHtml(`"x" & 'y' <b>`), '&quot;x&quot; &amp; &#39;y&#39; &lt;b&gt;');
});

test('nothing is loaded from elsewhere, and the page says so to the browser', async () => {
  const html = htmlOf(await exampleReport());
  assert.doesNotMatch(html, /<script|<link|<iframe|<img|\ssrc=|url\(|@import|https?:\/\//i);
  assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/>`));
  assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">'));
});
