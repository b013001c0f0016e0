/**
 * SARIF 2.1.0, for code-scanning services: one run, a reporting descriptor per finding kind, a
 * result per finding (suppressed ones included, marked as such) located at the rule's line.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AuditReport, Finding, FindingKind, Severity } from '../audit/types';
import type { SourceRef } from '../model/policy';

type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Readonly<Record<Severity, SarifLevel>> = { high: 'error', medium: 'warning', low: 'note' };

/** The key of each result's fingerprint: bump its version if fingerprints ever change meaning. */
export const FINGERPRINT_KEY = 'fwmatrix/v1';

interface RuleDescriptor {
  name: string;
  short: string;
  full: string;
  level: SarifLevel;
}

/** The default levels are the audit's severities per kind; each result still carries its own. */
const RULES: Readonly<Record<FindingKind, RuleDescriptor>> = {
  missing: {
    name: 'MissingRequiredFlow',
    short: 'A required flow is denied',
    full: 'The firewall drops or rejects some or all packets of a flow that the port matrix requires. The witness is one such packet.',
    level: 'error',
  },
  'overly-broad': {
    name: 'OverlyBroadRule',
    short: 'A rule lets through more than the required flows it serves',
    full: "A rule that lets a required flow through also lets through traffic, to or from the matrix's roles, that the matrix does not require. The witness is one such packet.",
    level: 'warning',
  },
  extraneous: {
    name: 'ExtraneousRule',
    short: 'A rule lets through traffic that no required flow needs',
    full: "A rule lets through traffic to or from the matrix's roles and serves no required flow. The witness is one such packet.",
    level: 'warning',
  },
  shadowed: {
    name: 'ShadowedRule',
    short: 'A rule can never match',
    full: 'Every packet that could match the rule is decided by earlier rules, so the rule has no effect.',
    level: 'note',
  },
  undetermined: {
    name: 'UndeterminedFlow',
    short: 'Whether a required flow is allowed cannot be told from the configuration',
    full: 'The verdict on a required flow depends on something the configuration does not say: an unmodelled match module, a schedule, an FQDN or URL-table alias. The message names it.',
    level: 'warning',
  },
};

const RULE_IDS = Object.keys(RULES) as FindingKind[];

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
    ruleIndex: RULE_IDS.indexOf(finding.kind),
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
            rules: RULE_IDS.map((id) => ({
              id,
              name: RULES[id].name,
              shortDescription: { text: RULES[id].short },
              fullDescription: { text: RULES[id].full },
              defaultConfiguration: { level: RULES[id].level },
            })),
          },
        },
        results: [...report.findings, ...report.suppressed].map((f) => result(f, report)),
        properties: { matrix: report.matrix, verdict: report.verdict, failOn: report.failOn },
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
