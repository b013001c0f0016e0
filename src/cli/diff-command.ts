/**
 * `fwmatrix diff BEFORE AFTER`: what a change to a configuration does, before it is made. The
 * flows whose fate changes (compareFilters), and with a matrix (a deployment, or --matrix and
 * --role) the findings the change introduces and fixes, by fingerprint.
 */
import * as path from 'node:path';
import pc from 'picocolors';
import { describeCount, type Family } from '../packetset';
import { InputError } from '../model/errors';
import type { PolicyProgram } from '../model/policy';
import { loadConfig, type ConfigType, type LoadOptions, type LoadedConfig } from '../normalize/load';
import {
  CHANGE_KINDS,
  compareFilters,
  interfaceNames,
  sameInterfaces,
  type ChangeKind,
  type Decision,
  type FlowChange,
} from '../engine/compare';
import { SEVERITY_RANK, type AuditReport, type Finding } from '../audit/types';
import { displayPath } from '../input/document';
import type { Deployment, Firewall } from '../deployment';
import { witnessText } from '../report/text';
import { addressSet, auditReport, deploymentFromFile, deploymentFromOptions, type AuditOptions } from './audit-command';
import { VERSION } from './version';

export interface DiffOptions extends Pick<
  AuditOptions,
  'failOn' | 'color' | 'quiet' | 'waivers' | 'baseline' | 'matrix' | 'role' | 'placement' | 'host' | 'interface'
> {
  format: 'text' | 'json';
  type?: ConfigType;
  /** A deployment file: BEFORE and AFTER stand for one of its firewalls' configuration. */
  deployment?: string;
  /** Which firewall of the deployment; required when it has several. */
  firewall?: string;
}

export interface FindingChanges {
  /** Findings of AFTER that BEFORE does not have. */
  introduced: Finding[];
  /** Findings of BEFORE that AFTER no longer has. */
  fixed: Finding[];
  /** How many findings both have. */
  unchanged: number;
}

/** How BEFORE and AFTER are read and audited: as the firewall they stand for would be. */
interface DiffContext {
  load: LoadOptions;
  /** What BEFORE and AFTER stand for, in the report's heading. */
  subject?: string;
  /** The audits of BEFORE and of AFTER (their address families given); absent without a matrix. */
  audits?: (before: string, after: string, families: readonly Family[]) => { before: AuditReport; after: AuditReport };
}

const KIND_TITLES: Readonly<Record<ChangeKind, string>> = {
  'newly-allowed': 'Newly allowed',
  'newly-denied': 'Newly denied',
  'newly-undetermined': 'Newly undetermined',
  'no-longer-undetermined': 'No longer undetermined',
};

export function runDiff(before: string, after: string, opts: DiffOptions): { text: string; exitCode: number } {
  const context = opts.deployment !== undefined ? deploymentContext(opts.deployment, opts) : optionsContext(opts);
  const shown = { before: displayPath(path.resolve(before)), after: displayPath(path.resolve(after)) };
  const configs = loadComparable(shown.before, shown.after, context.load);
  const families = configs.before.programs.map((p) => p.family);
  const changes = families.flatMap((family) => compareFilters(programOf(configs.before, family), programOf(configs.after, family)));
  let findings: FindingChanges | undefined;
  if (context.audits) {
    const reports = context.audits(before, after, families);
    findings = compareFindings(reports.before, reports.after);
  }
  const failing =
    opts.failOn !== 'none' &&
    (findings?.introduced ?? []).some((f) => f.suppressedBy === undefined && SEVERITY_RANK[f.severity] >= SEVERITY_RANK[opts.failOn]);
  const verdict = failing ? 'fail' : 'pass';
  let text: string;
  if (opts.format === 'json') {
    const report = {
      schemaVersion: 1,
      tool: { name: 'fwmatrix', version: VERSION },
      verdict,
      failOn: opts.failOn,
      before: shown.before,
      after: shown.after,
      changes: changes.map(changeJson),
      ...(findings ? { findings } : {}),
    };
    text = JSON.stringify(report, null, 2) + '\n';
  } else {
    text = diffText({ ...shown, subject: context.subject, changes, findings, verdict }, opts);
    if (opts.quiet) text = text.trimEnd().split('\n').pop() + '\n';
  }
  return { text, exitCode: failing ? 1 : 0 };
}

/** Findings matched by fingerprint, each at most once (a rule written twice gives two findings with one fingerprint). */
export function compareFindings(before: AuditReport, after: AuditReport): FindingChanges {
  const all = (report: AuditReport): Finding[] => [...report.findings, ...report.suppressed];
  const unmatched = (from: Finding[], against: Finding[]): Finding[] => {
    const available = new Map<string, number>();
    for (const f of against) available.set(f.fingerprint, (available.get(f.fingerprint) ?? 0) + 1);
    return from.filter((f) => {
      const n = available.get(f.fingerprint) ?? 0;
      if (n === 0) return true;
      available.set(f.fingerprint, n - 1);
      return false;
    });
  };
  const introduced = unmatched(all(after), all(before));
  return { introduced, fixed: unmatched(all(before), all(after)), unchanged: all(after).length - introduced.length };
}

/**
 * BEFORE and AFTER compiled so that they can be compared: the same format and address family,
 * and interface indices that mean the same interface in both.
 */
function loadComparable(before: string, after: string, options: LoadOptions): { before: LoadedConfig; after: LoadedConfig } {
  const first = { before: loadConfig([before], options), after: loadConfig([after], options) };
  if (first.before.type !== first.after.type) {
    throw new InputError([
      {
        location: { file: after },
        message: `its format is ${first.after.type} and that of ${before} is ${first.before.type}: compare two configurations of the same format`,
      },
    ]);
  }
  const familiesOf = (loaded: LoadedConfig): string => loaded.programs.map((p) => `IPv${p.family}`).join(' and ');
  if (familiesOf(first.before) !== familiesOf(first.after)) {
    throw new InputError([
      {
        location: { file: after },
        message: `it holds ${familiesOf(first.after)} rules and ${before} holds ${familiesOf(first.before)} rules: compare configurations of the same address family`,
      },
    ]);
  }
  const programs = [...first.before.programs, ...first.after.programs];
  if (programs.every((p) => sameInterfaces(p, programs[0]))) return first;
  // Each configuration numbers the interfaces it names: compiled again knowing every name either one names, the same index is the same interface.
  const names = [...new Set(programs.flatMap(interfaceNames))];
  return {
    before: loadConfig([before], { ...options, interfaceNames: names }),
    after: loadConfig([after], { ...options, interfaceNames: names }),
  };
}

function programOf(loaded: LoadedConfig, family: Family): PolicyProgram {
  return loaded.programs.find((p) => p.family === family)!;
}

/** Without a deployment: --host and --interface describe the firewall; --matrix and --role add the audit. */
function optionsContext(opts: DiffOptions): DiffContext {
  if (opts.firewall !== undefined) throw optionError('--firewall', 'names a firewall of a deployment: give --deployment FILE too');
  if (opts.matrix === undefined && (opts.role ?? []).length > 0)
    throw optionError('--role', 'roles are for auditing against a matrix: give --matrix ID|FILE too');
  const load: LoadOptions = {
    ...(opts.type ? { type: opts.type } : {}),
    // A malformed --interface is reported by the audit; here only the name counts.
    interfaceNames: (opts.interface ?? []).map((value) => value.split('=')[0]),
    ...(opts.placement === 'host' && opts.host !== undefined
      ? { localAddresses: addressSet(opts.host.split(',').filter(Boolean), { file: '--host' }) }
      : {}),
  };
  if (opts.matrix === undefined) return { load };
  return {
    load,
    subject: `matrix ${opts.matrix}`,
    audits: (before, after) => {
      // The firewall is named after AFTER in both audits, so that findings that stay keep their fingerprint.
      const { deployment, matrix } = deploymentFromOptions(undefined, { ...auditOptionsOf(opts), config: after });
      const firewall = deployment.firewalls[0];
      return {
        before: auditReport(withConfigs(deployment, firewall, [path.resolve(before)]), matrix, opts),
        after: auditReport(deployment, matrix, opts),
      };
    },
  };
}

/** With a deployment: BEFORE and AFTER stand for the configuration of one of its firewalls. */
function deploymentContext(file: string, opts: DiffOptions): DiffContext {
  const standalone = {
    '--matrix': opts.matrix !== undefined,
    '--role': (opts.role ?? []).length > 0,
    '--host': opts.host !== undefined,
    '--interface': (opts.interface ?? []).length > 0,
  };
  for (const [option, given] of Object.entries(standalone))
    if (given) throw optionError(option, 'give either a deployment or the firewall and matrix options, not both');
  const { deployment, matrix } = deploymentFromFile(file);
  const firewall = chosenFirewall(deployment, opts.firewall);
  const type = firewall.type ?? opts.type;
  const load: LoadOptions = {
    ...(type ? { type } : {}),
    interfaceNames: [...(firewall.interfaces?.keys() ?? [])],
    ...(firewall.ipsets ? { ipsetFile: firewall.ipsets } : {}),
    ...(firewall.placement === 'host' ? { localAddresses: addressSet(firewall.host, deployment.locate(`${firewall.pointer}/host`)) } : {}),
  };
  const typed: Firewall = { ...firewall, ...(type ? { type } : {}) };
  return {
    load,
    subject: `firewall ${firewall.name} of ${displayPath(deployment.file)}, matrix ${matrix.id}`,
    audits: (before, after, families) => {
      // BEFORE and AFTER replace the firewall's files of their address family; the others (an ip6tables-save file beside an iptables-save one) stay.
      const others = firewall.configs.filter((config) => !loadConfig([config], load).programs.some((p) => families.includes(p.family)));
      const auditWith = (config: string): AuditReport =>
        auditReport(withConfigs(deployment, typed, [...others, path.resolve(config)]), matrix, opts);
      return { before: auditWith(before), after: auditWith(after) };
    },
  };
}

function chosenFirewall(deployment: Deployment, name: string | undefined): Firewall {
  const names = deployment.firewalls.map((f) => f.name).join(', ');
  if (name !== undefined) {
    const firewall = deployment.firewalls.find((f) => f.name === name);
    if (!firewall) throw optionError('--firewall', `no firewall '${name}' in ${displayPath(deployment.file)}; its firewalls: ${names}`);
    return firewall;
  }
  if (deployment.firewalls.length === 1) return deployment.firewalls[0];
  throw optionError(
    '--firewall',
    `${displayPath(deployment.file)} has ${deployment.firewalls.length} firewalls (${names}): name the one BEFORE and AFTER stand for with --firewall NAME`,
  );
}

/** The deployment with `firewall` alone, reading `configs`. */
function withConfigs(deployment: Deployment, firewall: Firewall, configs: string[]): Deployment {
  return { ...deployment, firewalls: [{ ...firewall, configs }] };
}

function auditOptionsOf(opts: DiffOptions): AuditOptions {
  return {
    format: 'json',
    failOn: opts.failOn,
    color: false,
    placement: opts.placement,
    ...(opts.type !== undefined ? { type: opts.type } : {}),
    ...(opts.matrix !== undefined ? { matrix: opts.matrix } : {}),
    ...(opts.role !== undefined ? { role: opts.role } : {}),
    ...(opts.host !== undefined ? { host: opts.host } : {}),
    ...(opts.interface !== undefined ? { interface: opts.interface } : {}),
  };
}

function optionError(option: string, message: string): InputError {
  return new InputError([{ location: { file: option }, message }]);
}

function changeJson(change: FlowChange): object {
  const { extent } = change;
  return {
    kind: change.kind,
    point: change.point,
    family: change.family,
    before: change.before,
    after: change.after,
    // Exact, as decimal strings: IPv6 counts do not fit a JSON number.
    counts: {
      sources: `${extent.sources}`,
      destinations: `${extent.destinations}`,
      protocols: `${extent.protocols}`,
      destinationPorts: `${extent.destinationPorts}`,
    },
    witness: change.witness,
  };
}

interface DiffSummary {
  before: string;
  after: string;
  subject: string | undefined;
  changes: FlowChange[];
  findings: FindingChanges | undefined;
  verdict: 'pass' | 'fail';
}

function diffText(diff: DiffSummary, opts: DiffOptions): string {
  const c = pc.createColors(opts.color);
  const kindColor: Record<ChangeKind, (s: string) => string> = {
    'newly-allowed': c.green,
    'newly-denied': c.red,
    'newly-undetermined': c.magenta,
    'no-longer-undetermined': c.cyan,
  };
  const lines: string[] = [
    c.bold(`fwmatrix ${VERSION} — diff ${diff.before} → ${diff.after}${diff.subject ? ` (${diff.subject})` : ''}`),
    '',
  ];
  if (diff.changes.length === 0) lines.push('No flow changes.');
  for (const kind of CHANGE_KINDS) {
    const ofKind = diff.changes.filter((change) => change.kind === kind);
    if (ofKind.length === 0) continue;
    lines.push(c.bold(kindColor[kind](`${KIND_TITLES[kind]} (${ofKind.length}):`)));
    for (const change of ofKind) {
      const { sources, destinations, protocols, destinationPorts } = change.extent;
      lines.push(
        `  ${change.point} IPv${change.family}: ${[count(sources, 'source address'), count(destinations, 'destination address'), count(protocols, 'protocol'), count(destinationPorts, 'destination port')].join(', ')}`,
      );
      lines.push(...decisionLines('before', change.before), ...decisionLines('after ', change.after));
      if (change.witness) lines.push(`    witness: ${witnessText(change.witness)}`);
    }
  }
  const { findings } = diff;
  if (findings) {
    const severityColor = { high: c.red, medium: c.yellow, low: c.cyan };
    const show = (title: string, list: Finding[]): void => {
      if (list.length === 0) return;
      lines.push('', c.bold(`${title} (${list.length}):`));
      for (const f of list) {
        lines.push(
          `  ${severityColor[f.severity](f.severity.toUpperCase())} ${c.bold(f.kind)} ${f.firewall}${f.requirement ? ` ${f.requirement}` : ''}${f.suppressedBy ? c.dim(` (suppressed: ${f.suppressedBy})`) : ''}`,
        );
        lines.push(`    ${f.message}`);
        if (f.rule) lines.push(c.dim(`    ${f.rule.file}:${f.rule.line}: ${f.rule.text}`));
        if (f.witness) lines.push(`    witness: ${witnessText(f.witness)}`);
        lines.push(c.dim(`    fingerprint ${f.fingerprint}`));
      }
    };
    show('Findings introduced', findings.introduced);
    show('Findings fixed', findings.fixed);
  }
  const changesPart = `${count(BigInt(diff.changes.length), 'flow change')}`;
  const summary = findings
    ? `${diff.verdict === 'pass' ? c.green('PASS') : c.red('FAIL')} (fail on ${opts.failOn}): ${changesPart}; ${count(BigInt(findings.introduced.length), 'finding')} introduced, ${findings.fixed.length} fixed, ${findings.unchanged} unchanged`
    : changesPart;
  lines.push('', summary);
  return lines.join('\n') + '\n';
}

function decisionLines(side: string, d: Decision): string[] {
  let by: string;
  if (d.rule) by = `${d.rule.file}:${d.rule.line}: ${d.rule.text}`;
  else if (d.policy?.source)
    by = `${d.policy.source.file}:${d.policy.source.line}: ${d.policy.source.text} (the ${chainName(d.policy.chain)} chain's default policy)`;
  else if (d.policy) by = `the ${chainName(d.policy.chain)} chain's default policy`;
  else by = 'no chain filters these packets';
  return [`    ${side} ${d.verdict} by ${by}`, ...(d.reasons ?? []).map((why) => `      because ${why}`)];
}

/** `INPUT` of `filter/INPUT`: the table is implied. */
function chainName(chain: string): string {
  return chain.slice(chain.indexOf('/') + 1);
}

function count(n: bigint, noun: string): string {
  const plural = noun.endsWith('s') ? `${noun}es` : `${noun}s`;
  return `${describeCount(n)} ${n === 1n ? noun : plural}`;
}
