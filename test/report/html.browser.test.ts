/**
 * The HTML report as a reviewer sees it, in headless Chromium: it renders cleanly and loads
 * nothing, its grid has the right cells in the right places and colours (read back from a
 * screenshot), a cell opens to its deciding rule, and it prints to a few pages no wider than the paper.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { auditDeployment } from '../../src/app/audit';
import type { AuditReport } from '../../src/audit/types';
import { renderReport } from '../../src/report';
import { NO_BROWSER, inPage, launchChromium, type Browser } from '../helpers/browser';
import { FIXTURES_DIR } from '../helpers/paths';

/** Printable width of A4 (210 mm) less the stylesheet's 12 mm side margins, in CSS pixels. */
const A4_TEXT_WIDTH = Math.floor(((210 - 2 * 12) / 25.4) * 96);

interface OpenedReport {
  page: Page;
  /** Console errors and warnings, page errors and failed requests. */
  problems: string[];
  requests: string[];
}

interface GridLayout {
  columns: { label: string; left: number; right: number }[];
  rows: {
    requirement: string;
    cells: { className: string; firewall: string; left: number; right: number; top: number; bottom: number }[];
  }[];
  box: { x: number; y: number; width: number; height: number };
}

/** In print media: the page's width, what runs past it, and the print rules that keep rows whole. */
const PRINT_LAYOUT = `() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter((e) => { const r = e.getBoundingClientRect(); return r.width > 0 && (r.right > width + 0.5 || r.left < -0.5); })
    .map((e) => e.tagName + '.' + e.className);
  const style = (selector) => getComputedStyle(document.querySelector(selector));
  const styles = [style('table.grid thead').display, style('table.grid tbody tr').breakInside, style('.finding').breakInside, style('html').printColorAdjust];
  return { width, scrollWidth: document.documentElement.scrollWidth, wide, styles };
}`;

async function printLayout(page: Page): Promise<{ width: number; scrollWidth: number; wide: string[]; styles: string[] }> {
  await page.emulateMedia({ media: 'print' });
  return inPage(page, PRINT_LAYOUT);
}

const READ_GRID = `() => {
  const table = document.querySelector('table.grid');
  const box = table.getBoundingClientRect();
  const columns = [...table.tHead.rows[0].cells].slice(1).map((th) => {
    const r = th.getBoundingClientRect();
    return { label: [...th.children].map((e) => e.textContent).join(' '), left: r.left - box.left, right: r.right - box.left };
  });
  const rows = [...table.tBodies[0].rows].map((tr) => ({
    requirement: tr.cells[0].firstChild.textContent,
    cells: [...tr.querySelectorAll('td.cell')].map((td) => {
      const r = td.getBoundingClientRect();
      return { className: td.className, firewall: td.dataset.firewall, left: r.left - box.left, right: r.right - box.left, top: r.top - box.top, bottom: r.bottom - box.top };
    }),
  }));
  return { columns, rows, box: { x: box.x + scrollX, y: box.y + scrollY, width: box.width, height: box.height } };
}`;

/** Decodes a PNG in the page and returns its size and the RGBA of each point. */
const READ_PIXELS = `async ({ png, points }) => {
  const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
  const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d');
  context.drawImage(bitmap, 0, 0);
  return { width: bitmap.width, height: bitmap.height, pixels: points.map(([x, y]) => [...context.getImageData(x, y, 1, 1).data]) };
}`;

function pdfPages(pdf: Buffer): number {
  return pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g)?.length ?? 0;
}

function rgbOf(css: string): number[] {
  const m = css.match(/^rgba?\((\d+), (\d+), (\d+)/);
  assert.ok(m, css);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

describe('the HTML report in Chromium', { skip: NO_BROWSER }, () => {
  let browser: Browser;
  let report: AuditReport;
  let dir: string;
  let url: string;
  /** The report on screen, opened once: the tests below read it, the last one opens a cell. */
  let screen: OpenedReport;

  async function open(viewport?: { width: number; height: number }, at = url): Promise<OpenedReport> {
    const page = await browser.context.newPage();
    if (viewport) await page.setViewportSize(viewport);
    const opened: OpenedReport = { page, problems: [], requests: [] };
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') opened.problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => opened.problems.push(`page error: ${e.message}`));
    page.on('request', (r) => opened.requests.push(r.url()));
    page.on('requestfailed', (r) => opened.problems.push(`request failed: ${r.url()}`));
    await page.goto(at);
    return opened;
  }

  before(async () => {
    report = auditDeployment(path.join(FIXTURES_DIR, 'example', 'fwmatrix.yml'));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwmatrix-html-'));
    const file = path.join(dir, 'report.html');
    fs.writeFileSync(file, renderReport(report, 'html', { color: false }));
    url = pathToFileURL(file).href;
    browser = await launchChromium();
    screen = await open();
  });

  after(async () => {
    await browser?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('renders with no console errors and loads nothing but itself', async () => {
    const { page, problems, requests } = screen;
    assert.deepEqual(problems, []);
    assert.deepEqual(requests, [url]);
    assert.equal(await page.title(), 'fwmatrix audit: FAIL, Lync Server 2013: single Director');
    assert.equal(await page.locator('.verdict strong').textContent(), 'FAIL');
  });

  it('draws one row per requirement and one column per firewall, each status in its cell', async () => {
    const { page } = screen;
    const grid = await inPage<GridLayout>(page, READ_GRID);
    const requirements = [...new Set(report.results.map((r) => r.requirement))];
    assert.deepEqual(
      grid.rows.map((r) => r.requirement),
      requirements,
    );
    assert.deepEqual(
      grid.columns.map((c) => c.label),
      ['director01', 'core-gw'],
    );
    for (const [i, row] of grid.rows.entries()) {
      assert.equal(row.cells.length, 2, row.requirement);
      for (const [j, c] of row.cells.entries()) {
        // On screen: the cell sits under its column's header, on its row's line.
        const column = grid.columns[j];
        assert.ok(c.left >= column.left - 1 && c.right <= column.right + 1, `${row.requirement} cell ${j} under ${column.label}`);
        assert.ok(c.top >= (grid.rows[i - 1]?.cells[0].bottom ?? 0) - 1, `${row.requirement} below the row before`);
        const result = report.results.find((r) => r.firewall === column.label && r.requirement === row.requirement);
        assert.equal(c.className, `cell status-${result?.status}`, `${row.requirement} × ${column.label}`);
      }
    }
    const statusAt = (requirement: string, firewall: string) =>
      grid.rows.find((r) => r.requirement === requirement)?.cells[grid.columns.findIndex((c) => c.label === firewall)].className;
    assert.equal(statusAt('rp-director-https', 'director01'), 'cell status-denied');
    assert.equal(statusAt('rp-director-https', 'core-gw'), 'cell status-allowed');
    assert.equal(statusAt('cls-50002', 'core-gw'), 'cell status-partial');
    assert.equal(statusAt('fe-edge-sip', 'director01'), 'cell status-not-applicable');
  });

  it('paints each cell in its status colour, as a screenshot of the grid shows', async () => {
    const { page } = screen;
    const grid = await inPage<GridLayout>(page, READ_GRID);
    const png = await page.locator('table.grid').screenshot();
    const cells = grid.rows.flatMap((r) => r.cells);
    // A point inside each cell's padding, clear of its border and its centred text.
    const points = cells.map((c) => [Math.round(c.left) + 4, Math.round(c.top) + 4]);
    const shot = await inPage<{ width: number; height: number; pixels: number[][] }>(page, READ_PIXELS, {
      png: png.toString('base64'),
      points,
    });
    // The shot covers the grid's box, rounded out to whole pixels.
    assert.ok(
      Math.abs(shot.width - grid.box.width) <= 2 && Math.abs(shot.height - grid.box.height) <= 2,
      JSON.stringify({ box: grid.box, width: shot.width, height: shot.height }),
    );

    const backgrounds = await inPage<string[]>(
      page,
      `() => [...document.querySelectorAll('table.grid td.cell')].map((c) => getComputedStyle(c).backgroundColor)`,
    );
    const colourOf = new Map<string, string>();
    for (const [i, c] of cells.entries()) {
      const expected = rgbOf(backgrounds[i]);
      const seen = shot.pixels[i].slice(0, 3);
      assert.ok(
        seen.every((v, k) => Math.abs(v - expected[k]) <= 2),
        `${c.className} at ${points[i].join(',')}: ${seen.join(',')} ≠ ${expected.join(',')}`,
      );
      const known = colourOf.get(c.className);
      assert.ok(known === undefined || known === expected.join(','), `${c.className} has one colour`);
      colourOf.set(c.className, expected.join(','));
    }
    assert.equal(colourOf.size, 4, 'allowed, partial, denied and not-applicable appear');
    assert.equal(new Set(colourOf.values()).size, colourOf.size, 'each status its own colour');
    assert.ok(![...colourOf.values()].includes('255,255,255'), 'no status is left white');
  });

  const CELL = 'td.cell[data-firewall="director01"][data-requirement="rp-director-https"]';

  it('shows a cell its deciding rule: in its title on hover, in full when opened', async () => {
    const { page } = screen;
    const cell = page.locator(CELL);
    const details = cell.locator('.decided');
    assert.equal(await details.isVisible(), false);
    await cell.hover();
    assert.match((await cell.getAttribute('title')) ?? '', /director01\.rules:3 {2}:INPUT DROP/);
    const decoration = `(selector) => getComputedStyle(document.querySelector(selector)).textDecorationLine`;
    assert.equal(await inPage(page, decoration, `${CELL} .status`), 'underline', 'the hovered cell shows it can open');
    await cell.locator('summary').click();
    assert.equal(await details.isVisible(), true);
    const text = (await details.textContent()) ?? '';
    assert.match(text, /director01\.rules:3 :INPUT DROP/);
    assert.match(text, /e\.g\. tcp 192\.0\.2\.10:40000 -> 198\.51\.100\.11:4443 \[INPUT\]/);
  });

  it('prints to a few A4 or Letter pages, nothing wider than the paper, rows kept whole', async () => {
    const { page, problems } = await open({ width: A4_TEXT_WIDTH, height: 1000 });
    const layout = await printLayout(page);
    assert.equal(layout.width, A4_TEXT_WIDTH);
    assert.deepEqual(layout.wide, []);
    assert.ok(layout.scrollWidth <= layout.width, `scroll width ${layout.scrollWidth} > ${layout.width}`);
    assert.deepEqual(layout.styles, ['table-header-group', 'avoid', 'avoid', 'exact']);

    const a4 = pdfPages(await page.pdf({ format: 'A4' }));
    const letter = pdfPages(await page.pdf({ format: 'Letter' }));
    // Measured on the example: 6 A4 pages, 7 Letter pages (summary; grid and deciding rules; 16
    // findings; errata; evidence and sign-off).
    assert.ok(a4 >= 3 && a4 <= 6, `${a4} A4 pages`);
    assert.ok(letter >= 3 && letter <= 7, `${letter} Letter pages`);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('keeps a wide report on the paper: six variant columns, long names, unbroken rule text', async () => {
    const wide = structuredClone(report);
    const long = (stem: string) => `${stem}-${'x'.repeat(60)}`;
    wide.firewalls = wide.firewalls.map((fw) => ({ ...fw, name: long(fw.name), file: `${long('/srv/audit/configurations')}/${fw.file}` }));
    wide.results = wide.results.flatMap((r) =>
      ['domain', 'private', 'public'].map((variant) => ({
        ...r,
        firewall: long(r.firewall),
        variant,
        requirement: long(r.requirement),
        decidedBy: r.decidedBy.map((ref) => ({ ...ref, text: `${ref.text} -m comment --comment ${'y'.repeat(240)}` })),
      })),
    );
    wide.findings = wide.findings.map((f) => ({ ...f, firewall: long(f.firewall), message: `${f.message} ${'z'.repeat(300)}` }));
    const file = path.join(dir, 'wide.html');
    fs.writeFileSync(file, renderReport(wide, 'html', { color: false }));
    const { page, problems } = await open({ width: A4_TEXT_WIDTH, height: 1000 }, pathToFileURL(file).href);
    assert.equal(await page.locator('table.grid > thead th.firewall-column').count(), 6);
    const layout = await printLayout(page);
    assert.deepEqual(layout.wide, []);
    assert.ok(layout.scrollWidth <= layout.width, `scroll width ${layout.scrollWidth} > ${layout.width}`);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
