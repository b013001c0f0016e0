/**
 * Every report format on every vendor: the pfSense/OPNsense and Windows fixtures' reports are as
 * valid and as located as the iptables example's, XML rules by line and by path.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import Ajv from 'ajv-draft-04';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { AuditReport } from '../../src/audit/types';
import { REPORT_FORMATS, renderReport } from '../../src/report';
import { runCli } from '../helpers/cli';
import { assertValidHtml } from '../helpers/html-check';
import { assertJenkinsJunit } from '../helpers/junit-schema';
import { FIXTURES_DIR, REPO_ROOT } from '../helpers/paths';

const SARIF_SCHEMA = JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, unicodeRegExp: false, strictRequired: false });
addFormats(ajv);
const validateSarif = ajv.compile(SARIF_SCHEMA);

const ajv2020 = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv2020);
const validateReport = ajv2020.compile(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schemas', 'report.schema.json'), 'utf8')));

const DEPLOYMENTS = [
  { vendor: 'pfSense and OPNsense', file: path.join(FIXTURES_DIR, 'pfsense', 'fwmatrix.yml') },
  { vendor: 'Windows (GPO report)', file: path.join(REPO_ROOT, 'test', 'windows', 'fixtures', 'director01.yml') },
  { vendor: 'Windows (registry export)', file: path.join(REPO_ROOT, 'test', 'windows', 'fixtures', 'director02.yml') },
];

interface SarifLocation {
  physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number; snippet: { text: string } } };
  logicalLocations?: { fullyQualifiedName: string; kind: string }[];
}
interface SarifLog {
  runs: {
    results: { ruleId: string; locations: SarifLocation[] }[];
    artifacts: { location: { uri: string }; hashes: Record<string, string> }[];
  }[];
}

async function auditOf(deployment: string): Promise<AuditReport> {
  const run = await runCli(['audit', deployment, '--format', 'json']);
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  return JSON.parse(run.stdout) as AuditReport;
}

for (const { vendor, file } of DEPLOYMENTS) {
  describe(`reports of the ${vendor} fixture`, () => {
    const report = auditOf(file);

    it('JSON: valid against the report schema, findings located in the configuration files', async () => {
      const r = await report;
      assert.ok(r.results.length > 0 && r.findings.length > 0, 'a fixture worth reporting on');
      assert.ok(validateReport(r), ajv2020.errorsText(validateReport.errors));
      for (const f of r.findings.filter((f) => f.rule)) assert.ok(fs.existsSync(path.resolve(f.rule!.file)), f.rule!.file);
    });

    it('SARIF: valid 2.1.0, a result per finding at its rule, XML rules by line and by path', async () => {
      const r = await report;
      const log = JSON.parse(renderReport(r, 'sarif', { color: false })) as SarifLog;
      assert.ok(validateSarif(log), ajv.errorsText(validateSarif.errors));
      const results = log.runs[0].results;
      const all = [...r.findings, ...r.suppressed];
      assert.equal(results.length, all.length);
      all.forEach((finding, i) => {
        assert.equal(results[i].ruleId, finding.kind);
        if (!finding.rule) return;
        const [location] = results[i].locations;
        assert.equal(location.physicalLocation.region?.startLine, finding.rule.line);
        if (finding.rule.path) assert.deepEqual(location.logicalLocations, [{ fullyQualifiedName: finding.rule.path, kind: 'element' }]);
      });
      // Every configuration the audit read is an artifact with its digest.
      const artifactUris = log.runs[0].artifacts.map((a) => a.location.uri);
      for (const input of r.evidence.inputs)
        assert.ok(
          artifactUris.some((uri) => uri.endsWith(path.basename(input.file))),
          input.file,
        );
    });

    it('JUnit: valid for Jenkins, a suite per firewall with a case per requirement result, a case per other finding', async () => {
      const r = await report;
      const xml = renderReport(r, 'junit', { color: false });
      assertJenkinsJunit(xml);
      const parser = new XMLParser({
        ignoreAttributes: false,
        attributeNamePrefix: '',
        isArray: (n) => n === 'testsuite' || n === 'testcase',
      });
      const suites = (parser.parse(xml) as { testsuites: { testsuite: { name: string; testcase?: { name: string }[] }[] } }).testsuites
        .testsuite;
      const cases = (name: string) => (suites.find((s) => s.name === name)?.testcase ?? []).map((c) => c.name);
      for (const fw of new Set(r.firewalls.map((f) => f.name)))
        assert.deepEqual(
          cases(fw),
          r.results.filter((res) => res.firewall === fw).map((res) => res.requirement),
        );
      // A finding about a requirement is told with its result; the others have a suite of their own.
      const ofNoResult = [...r.findings, ...r.suppressed].filter(
        (f) => !r.results.some((res) => res.firewall === f.firewall && res.variant === f.variant && res.requirement === f.requirement),
      );
      assert.equal(cases('findings').length, ofNoResult.length);
    });

    it('HTML: valid, a grid cell per result, every firewall named', async () => {
      const r = await report;
      const html = renderReport(r, 'html', { color: false });
      assertValidHtml(html);
      assert.equal([...html.matchAll(/<td class="cell status-/g)].length, r.results.length);
      for (const name of new Set(r.firewalls.map((fw) => fw.name))) assert.ok(html.includes(name), name);
    });

    it('Markdown and text: every firewall and the verdict, Markdown under the comment limit', async () => {
      const r = await report;
      const markdown = renderReport(r, 'markdown', { color: false });
      assert.ok(markdown.length < 65_536);
      const text = renderReport(r, 'text', { color: false });
      for (const fw of r.firewalls) {
        assert.ok(markdown.includes(fw.name), `markdown names ${fw.name}`);
        assert.ok(text.includes(fw.name), `text names ${fw.name}`);
      }
      assert.ok(REPORT_FORMATS.every((format) => renderReport(r, format, { color: false }).length > 0));
    });
  });
}
