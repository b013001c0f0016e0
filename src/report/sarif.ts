/**
 * SARIF 2.1.0, for code-scanning services: one run, a reporting descriptor per finding kind, a
 * result per finding (suppressed ones included, marked as such) located at the rule's line.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AuditReport, ConfigWarning, FileDigest, Finding, Severity, WaiverStatus } from '../audit/types';
import { waiverScope, waiverState } from './common';
import { FINDING_KINDS, FINDING_KIND_IDS } from '../audit/finding-kinds';
import type { SourceRef } from '../model/policy';

type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Readonly<Record<Severity, SarifLevel>> = { high: 'error', medium: 'warning', low: 'note' };

/** The key of each result's fingerprint: bump its version if fingerprints ever change meaning. */
export const FINGERPRINT_KEY = 'fwmatrix/v1';

/**
 * A URI reference for a report path: relative paths stay relative (to where fwmatrix ran), with
 * each segment percent-encoded; absolute paths become file: URIs.
 */
export function artifactUri(file: string): string {
  if (path.isAbsolute(file)) return pathToFileURL(file).href;
  return file.split(/[\\/]/).map(encodeURIComponent).join('/');
}

function ruleLocation(rule: SourceRef): object {
  return {
    physicalLocation: {
      artifactLocation: { uri: artifactUri(rule.file) },
      ...(rule.line >= 1 ? { region: { startLine: rule.line, snippet: { text: rule.text } } } : {}),
    },
    // XML inputs locate the rule's element by path as well as by line.
    ...(rule.path ? { logicalLocations: [{ fullyQualifiedName: rule.path, kind: 'element' }] } : {}),
  };
}

function result(finding: Finding, report: AuditReport): object {
  const configFile = report.firewalls.find((fw) => fw.name === finding.firewall)?.file;
  const locations = finding.rule
    ? [ruleLocation(finding.rule)]
    : configFile
      ? [{ physicalLocation: { artifactLocation: { uri: artifactUri(configFile) } } }]
      : [];
  return {
    ruleId: finding.kind,
    ruleIndex: FINDING_KIND_IDS.indexOf(finding.kind),
    level: LEVEL[finding.severity],
    message: { text: finding.message },
    locations,
    partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
    ...(finding.suppressedBy !== undefined
      ? { suppressions: [{ kind: 'external', status: 'accepted', justification: finding.suppressedBy }] }
      : {}),
    properties: {
      severity: finding.severity,
      firewall: finding.firewall,
      requirement: finding.requirement,
      witness: finding.witness,
      errata: finding.errata ?? [],
    },
  };
}

function artifacts(report: AuditReport): object[] {
  const e = report.evidence;
  const entries: { digest: FileDigest; roles: string[] }[] = [
    ...e.inputs.map((digest) => ({ digest, roles: ['analysisTarget'] })),
    ...(e.deployment ? [{ digest: e.deployment, roles: ['attachment'] }] : []),
    { digest: e.matrix, roles: ['attachment'] },
    ...(e.waivers ? [{ digest: e.waivers, roles: ['attachment'] }] : []),
    ...(e.baseline ? [{ digest: e.baseline, roles: ['attachment'] }] : []),
  ];
  return entries.map(({ digest, roles }) => ({
    location: { uri: artifactUri(digest.file) },
    length: digest.bytes,
    hashes: { 'sha-256': digest.sha256 },
    roles,
  }));
}

/** An expired or stale waiver: not a result, but something to act on. */
function waiverNotification(w: WaiverStatus): object {
  const region = w.line !== undefined ? { region: { startLine: w.line } } : {};
  return {
    level: 'warning',
    message: { text: `waiver ${waiverState(w)}: ${waiverScope(w)}: ${w.reason}` },
    locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(w.file) }, ...region } }],
  };
}

function notification(warning: ConfigWarning): object {
  const region = warning.line !== undefined ? { region: { startLine: warning.line } } : {};
  return {
    level: 'warning',
    message: { text: warning.message },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: artifactUri(warning.file) }, ...region },
        ...(warning.path ? { logicalLocations: [{ fullyQualifiedName: warning.path, kind: 'element' }] } : {}),
      },
    ],
    properties: { firewall: warning.firewall },
  };
}

/** Where a code-scanning alert's reader learns what the tool is (SARIF's driver.informationUri). */
const TOOL_INFORMATION_URI = 'https://www.npmjs.com/package/fwmatrix';

export function renderSarif(report: AuditReport): string {
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: TOOL_INFORMATION_URI,
            // The default levels are the audit's severities per kind; each result still carries its own.
            rules: FINDING_KIND_IDS.map((id) => ({
              id,
              name: FINDING_KINDS[id].name,
              shortDescription: { text: FINDING_KINDS[id].summary },
              fullDescription: { text: FINDING_KINDS[id].description },
              help: { text: FINDING_KINDS[id].help, markdown: FINDING_KINDS[id].help },
              defaultConfiguration: { level: LEVEL[FINDING_KINDS[id].severity] },
            })),
          },
        },
        // What the parsers noticed and did not stop on: notifications of a successful run, not results.
        invocations: [
          {
            // A firewall that could not be audited makes the run unsuccessful (exit code 2).
            executionSuccessful: report.errors.length === 0,
            startTimeUtc: report.evidence.generatedAt,
            toolExecutionNotifications: [
              ...report.errors.map((e) => ({ ...notification(e), level: 'error' })),
              ...report.warnings.map(notification),
              ...report.waivers.filter((w) => w.status !== 'applied').map(waiverNotification),
            ],
          },
        ],
        // Every file the audit read, with its digest: evidence of what was judged.
        artifacts: artifacts(report),
        results: [...report.findings, ...report.suppressed].map((f) => result(f, report)),
        properties: { matrix: report.matrix, verdict: report.verdict, failOn: report.failOn, generatedAt: report.evidence.generatedAt },
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
