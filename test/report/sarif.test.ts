/** The SARIF report: valid against the SARIF 2.1.0 schema, one result per finding, located at the rule. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { AuditReport, Finding } from '../../src/audit/types';
import { renderReport } from '../../src/report';
import { FINGERPRINT_KEY } from '../../src/report/sarif';
import { FIXTURES_DIR } from '../helpers/paths';
import { exampleReport, findingOf, suppress } from './support';

/**
 * The SARIF 2.1.0 schema as the SARIF TC published it to SchemaStore (sarif-2.1.0-rtm.5), from
 * Microsoft's @microsoft/jest-sarif. It is JSON Schema draft-04, hence ajv-draft-04. Its patterns
 * are ECMAScript regexes without the u flag (one has a lone `]`, an error under u), and it lists
 * required properties that only some anyOf branches define, which ajv's strict mode rejects.
 */
const SCHEMA_FILE = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
const ajv = new Ajv({ allErrors: true, unicodeRegExp: false, strictRequired: false });
addFormats(ajv);
const validateSarif = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')));

// The parts of SARIF these tests read.
interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: string; justification: string }[];
  locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number; snippet: { text: string } } } }[];
  properties: { firewall: string; requirement: string | null; witness: Finding['witness']; errata: Finding['errata'] };
}
interface SarifLog {
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        semanticVersion: string;
        informationUri: string;
        rules: { id: string; defaultConfiguration: { level: string } }[];
      };
    };
    results: SarifResult[];
  }[];
}

function sarifOf(report: AuditReport): SarifLog {
  const log = JSON.parse(renderReport(report, 'sarif', { color: false })) as SarifLog;
  assert.ok(validateSarif(log), `not valid SARIF 2.1.0: ${ajv.errorsText(validateSarif.errors)}`);
  return log;
}

/** The file a SARIF artifact URI names, relative or file:. */
function fileOfUri(uri: string): string {
  return path.resolve(uri.startsWith('file:') ? fileURLToPath(uri) : decodeURIComponent(uri));
}

const LEVEL = { high: 'error', medium: 'warning', low: 'note' };

test('the example report is valid SARIF with one result per finding, at its rule, with its level and fingerprint', async () => {
  const report = await exampleReport();
  const log = sarifOf(report);
  assert.equal(log.version, '2.1.0');
  assert.equal(log.runs.length, 1);
  const [run] = log.runs;
  assert.deepEqual([run.tool.driver.name, run.tool.driver.version], ['fwmatrix', report.tool.version]);
  // Viewers link the tool's name to its page, and compare versions by the semantic one.
  assert.deepEqual(
    [run.tool.driver.semanticVersion, run.tool.driver.informationUri],
    [report.tool.version, 'https://www.npmjs.com/package/fwmatrix'],
  );
  assert.equal(run.results.length, report.findings.length + report.suppressed.length);
  assert.ok(run.results.length > 10, 'the example has many findings');

  run.results.forEach((r, i) => {
    const f = report.findings[i];
    assert.equal(r.ruleId, f.kind);
    assert.equal(run.tool.driver.rules[r.ruleIndex].id, f.kind);
    assert.equal(r.level, LEVEL[f.severity]);
    assert.equal(r.message.text, f.message);
    assert.deepEqual(r.partialFingerprints, { [FINGERPRINT_KEY]: f.fingerprint });
    assert.deepEqual(r.properties, {
      severity: f.severity,
      firewall: f.firewall,
      requirement: f.requirement,
      witness: f.witness,
      errata: f.errata ?? [],
    });
    assert.ok(f.rule, 'every example finding names a rule');
    const { physicalLocation } = r.locations[0];
    assert.equal(fileOfUri(physicalLocation.artifactLocation.uri), path.resolve(f.rule.file));
    assert.deepEqual(physicalLocation.region, { startLine: f.rule.line, snippet: { text: f.rule.text } });
    assert.equal(r.suppressions, undefined);
  });
});

test('a denied flow is an error at the policy line that drops it', async () => {
  const report = await exampleReport();
  const missing = findingOf(report, 'missing', 'director01', { requirement: 'rp-director-https' });
  const result = sarifOf(report).runs[0].results.find((r) => r.partialFingerprints[FINGERPRINT_KEY] === missing.fingerprint);
  assert.ok(result);
  assert.equal(result.level, 'error');
  assert.equal(
    fileOfUri(result.locations[0].physicalLocation.artifactLocation.uri),
    path.join(FIXTURES_DIR, 'example', 'configs', 'director01.rules'),
  );
  assert.deepEqual(result.locations[0].physicalLocation.region, { startLine: 3, snippet: { text: ':INPUT DROP' } });
  assert.equal(result.properties.witness?.dport, 4443);
});

test('the rules are the finding kinds, with default levels', async () => {
  const rules = sarifOf(await exampleReport()).runs[0].tool.driver.rules;
  assert.deepEqual(
    rules.map((r) => [r.id, r.defaultConfiguration.level]),
    [
      ['missing', 'error'],
      ['overly-broad', 'warning'],
      ['extraneous', 'warning'],
      ['shadowed', 'note'],
      ['undetermined', 'warning'],
      ['unfiltered', 'error'],
      ['not-loaded', 'warning'],
    ],
  );
  // GitHub code scanning shows a rule's help beside each alert, and wants it.
  for (const rule of rules as unknown as { id: string; help?: { text: string; markdown: string } }[]) {
    assert.ok((rule.help?.text.length ?? 0) > 80 && rule.help?.markdown === rule.help?.text, `${rule.id} has help`);
  }
});

test('suppressed findings are results too, with an external suppression and its justification', async () => {
  const report = await exampleReport();
  const shadowed = findingOf(report, 'shadowed', 'core-gw', { line: 19 });
  suppress(report, shadowed, 'waiver (waivers.yml:4): kept for the next change window');
  const results = sarifOf(report).runs[0].results;
  assert.equal(results.length, report.findings.length + report.suppressed.length);
  const suppressed = results.filter((r) => r.suppressions);
  assert.equal(suppressed.length, 1);
  assert.equal(suppressed[0].partialFingerprints[FINGERPRINT_KEY], shadowed.fingerprint);
  assert.deepEqual(suppressed[0].suppressions, [
    { kind: 'external', status: 'accepted', justification: 'waiver (waivers.yml:4): kept for the next change window' },
  ]);
});

test('a finding without a rule is located at its firewall configuration; odd paths become valid URIs', async () => {
  const report = await exampleReport();
  const core = report.firewalls.find((fw) => fw.name === 'core-gw');
  assert.ok(core);
  core.file = 'configs/core gw#1.rules';
  const ruleless = findingOf(report, 'undetermined', 'core-gw', { requirement: 'cls-50001' });
  ruleless.rule = null;
  const absolute = findingOf(report, 'shadowed', 'core-gw', { line: 19 });
  assert.ok(absolute.rule);
  absolute.rule.file = path.resolve('/etc/iptables/rules v4');

  const results = sarifOf(report).runs[0].results;
  const byFingerprint = (f: Finding) => results.find((r) => r.partialFingerprints[FINGERPRINT_KEY] === f.fingerprint);
  assert.deepEqual(byFingerprint(ruleless)?.locations, [
    { physicalLocation: { artifactLocation: { uri: 'configs/core%20gw%231.rules' } } },
  ]);
  const absoluteLocation = byFingerprint(absolute)?.locations[0].physicalLocation;
  assert.ok(absoluteLocation);
  assert.ok(absoluteLocation.artifactLocation.uri.startsWith('file:///'));
  assert.equal(fileOfUri(absoluteLocation.artifactLocation.uri), path.resolve('/etc/iptables/rules v4'));
});

test('the schema rejects what is not SARIF, so the checks above can fail', async () => {
  const log = JSON.parse(renderReport(await exampleReport(), 'sarif', { color: false }));
  log.runs[0].results[0].level = 'fatal';
  assert.equal(validateSarif(log), false);
  delete log.runs[0].results[0].level;
  delete log.runs[0].results[0].message;
  assert.equal(validateSarif(log), false);
});
