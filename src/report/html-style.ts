/**
 * The HTML report's stylesheet: a plain document on screen, and on paper (A4 or Letter) one that
 * keeps its colours, repeats table headers, keeps rows and findings whole and never runs wider
 * than the page. Text breaks mid-token only where a token is longer than its line (`overflow-wrap:
 * anywhere` on long tokens and in the grid, never `word-break: break-all`).
 */
const SCREEN = `
:root {
  --ink: #1d2430; --muted: #5c6573; --rule: #d5d9e0; --faint: #f4f5f7; --accent: #27476e;
  --allowed-bg: #e3f1e6; --allowed-ink: #1c5e30;
  --partial-bg: #fbf0cf; --partial-ink: #6e4d00;
  --denied-bg: #f8e0de; --denied-ink: #962019;
  --undetermined-bg: #ebe4f4; --undetermined-ink: #553481;
  --not-applicable-bg: #f1f2f4; --not-applicable-ink: #6a717d;
  --high: #962019; --medium: #7a5500; --low: #27476e;
}
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "DejaVu Sans", sans-serif;
  color: var(--ink); background: #fff; margin: 0 auto; max-width: 1100px; padding: 2rem 1.5rem 3rem; overflow-wrap: break-word; }
h1 { font-size: 1.7rem; line-height: 1.2; margin: .1rem 0 .3rem; }
h2 { font-size: 1.2rem; margin: 2.2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 2px solid var(--accent); color: var(--accent); }
h3 { font-size: 1rem; margin: 1.4rem 0 .4rem; }
h3 .muted { font-weight: normal; }
p { margin: .4rem 0; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; }
.muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { border: 1px solid var(--rule); padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { background: var(--faint); font-weight: 600; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
/* A token longer than a line breaks where it must (its table may narrow it); shorter ones never split.
   The grid's columns have set widths, so its cells' text gives way, except the status words. */
.long, table.grid td.cell, table.grid th { overflow-wrap: anywhere; }
table.grid .status { overflow-wrap: normal; }

.document-header { display: flex; justify-content: space-between; align-items: flex-start; gap: 1.5rem;
  border-bottom: 3px solid var(--accent); padding-bottom: 1rem; }
.document-kind { text-transform: uppercase; letter-spacing: .08em; font-size: .78rem; color: var(--muted); margin: 0; }
.verdict { flex: none; text-align: center; border: 2px solid; border-radius: 4px; padding: .35rem 1.1rem; }
.verdict strong { display: block; font-size: 1.6rem; letter-spacing: .06em; }
.verdict span { font-size: .8rem; }
.verdict-pass { color: var(--allowed-ink); } .verdict-fail { color: var(--denied-ink); }
.verdict.verdict-pass { background: var(--allowed-bg); } .verdict.verdict-fail { background: var(--denied-bg); }

/* Side by side while they fit, each at least as wide as its table needs; the rest wraps below. */
.overview { display: flex; flex-wrap: wrap; gap: 0 1.4rem; align-items: flex-start; }
.overview > div { flex: 1 1 auto; }
.overview > div:first-child { flex-basis: 22rem; }
.overview h3 { margin-top: .4rem; }
.not-audited { border: 1px solid var(--denied-ink); border-left-width: 5px; background: var(--denied-bg); padding: .2rem .8rem .4rem; margin: .6rem 0 1rem; }
.not-audited h3 { color: var(--denied-ink); margin-top: .4rem; }
.not-audited table { background: #fff; }
table.facts th { width: 9rem; background: var(--faint); font-weight: 600; }
table.counts th[scope="row"] { font-weight: normal; white-space: nowrap; }
table.counts td.effect { white-space: nowrap; }
.swatch { display: inline-block; width: .8rem; height: .8rem; border: 1px solid rgba(0,0,0,.25); margin-right: .4rem; vertical-align: -.1rem; }

table.grid { table-layout: auto; }
table.grid th.requirement { font-weight: normal; }
table.grid th.requirement .requirement-id { font-weight: 600; }
table.grid th.requirement .flow { display: block; color: var(--muted); font-size: .92em; }
table.grid th.firewall-column { text-align: center; }
.firewall-name { display: block; }
.variant { display: block; font-weight: normal; color: var(--muted); font-size: .85em; }
.tag { display: inline-block; margin-left: .35rem; padding: 0 .3rem; border: 1px solid var(--rule); border-radius: 3px;
  font-size: .75em; font-weight: normal; color: var(--muted); }
td.cell { text-align: center; }
td.cell .status { font-weight: 600; display: inline-block; }
td.cell .where { display: block; font: 11px/1.3 ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; opacity: .85; }
td.cell summary { cursor: pointer; list-style: none; }
td.cell summary::-webkit-details-marker { display: none; }
td.cell summary:hover .status { text-decoration: underline dotted; }
td.cell .decided { font-size: 12px; text-align: left; margin-top: .3rem; padding-top: .3rem; border-top: 1px solid rgba(0,0,0,.15); color: var(--ink); }
td.cell .decided p { margin: .2rem 0; }
.status-allowed { background: var(--allowed-bg); color: var(--allowed-ink); }
.status-partial { background: var(--partial-bg); color: var(--partial-ink); }
.status-denied { background: var(--denied-bg); color: var(--denied-ink); }
.status-undetermined { background: var(--undetermined-bg); color: var(--undetermined-ink); }
.status-not-applicable, .status-none { background: var(--not-applicable-bg); color: var(--not-applicable-ink); }
table.rules td.decides { color: var(--muted); width: 24%; }
table.rules .requirement-id { display: inline-block; }
code.location { font-weight: 600; margin-right: .6em; display: inline-block; }
table.rules th.group { background: #fff; padding-top: .5rem; border-bottom-width: 2px; }

.finding { border: 1px solid var(--rule); border-left: 5px solid var(--rule); border-radius: 3px; padding: .5rem .8rem; margin: .6rem 0; }
.finding.severity-high { border-left-color: var(--high); }
.finding.severity-medium { border-left-color: var(--medium); }
.finding.severity-low { border-left-color: var(--low); }
.finding header { display: flex; flex-wrap: wrap; gap: .2rem .7rem; align-items: baseline; }
.finding .fingerprint { margin-left: auto; color: var(--muted); font-size: .85em; }
.finding .message { margin: .3rem 0; }
.badge { font-size: .72rem; font-weight: 700; letter-spacing: .05em; text-transform: uppercase; padding: .05rem .4rem; border-radius: 3px; color: #fff; }
.badge.severity-high { background: var(--high); } .badge.severity-medium { background: var(--medium); } .badge.severity-low { background: var(--low); }
.kind { font-weight: 600; }
.facts-list { display: grid; grid-template-columns: 6rem minmax(0, 1fr); gap: .1rem .8rem; margin: .2rem 0 0; }
.facts-list dt { color: var(--muted); }
.facts-list dd { margin: 0; min-width: 0; }
.suppressed .finding { background: var(--faint); }
table.waivers td.waiver-expired, table.waivers td.waiver-stale { color: var(--partial-ink); background: var(--partial-bg); font-weight: 600; }
table.evidence code.digest { color: var(--muted); }
dl.errata dt { font-weight: 600; margin-top: .5rem; }
dl.errata dd { margin: .1rem 0 0 1.5rem; }

.sign-off table th { width: 11rem; background: var(--faint); }
.sign-off td.blank { height: 2.2rem; }
.sign-off td.tall { height: 4rem; }
.choice { display: inline-block; margin-right: 1.6rem; white-space: nowrap; }
.box { display: inline-block; width: .9rem; height: .9rem; border: 1.5px solid var(--ink); margin-right: .4rem; vertical-align: -.15rem; }
footer { margin-top: 2rem; font-size: .8rem; color: var(--muted); border-top: 1px solid var(--rule); padding-top: .5rem; }
`;

const PRINT = `
@page { margin: 14mm 12mm 16mm; @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt sans-serif; color: #5c6573; } }
@media print {
  body { font-size: 9pt; max-width: none; padding: 0; }
  code { font-size: 7.5pt; }
  .finding { padding: .3rem .6rem; margin: .4rem 0; }
  p.intro { break-inside: avoid; }
  td.cell .where { font-size: 7.5pt; }
  td.cell, table.grid th.firewall-column { padding: .25rem .35rem; }
  h2 { margin-top: 1.4rem; break-after: avoid; }
  #matrix { break-before: page; }
  #matrix h2 { margin-top: 0; }
  h3, .intro, table.rules th.group { break-after: avoid; }
  thead { display: table-header-group; }
  tr, .finding, .sign-off, .not-audited, .overview > div, dl.errata dt, dl.errata dd { break-inside: avoid; }
  td.cell summary:hover .status { text-decoration: none; }
  .sign-off { break-before: auto; }
  footer { display: none; }
}
`;

export const STYLE = SCREEN + PRINT;
