/**
 * Auditing: a deployment (or one configuration described in place of one) and its matrix →
 * every firewall loaded, audited, its findings judged against waivers, a baseline and a threshold.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NO_ADDRESSES, PacketSet, Ranges, formatRanges, parseNetwork, unionOfAddresses, type AddressSet, type Family } from '../packetset';
import { InputError, type Diagnostic, type Location } from '../model/errors';
import type { DeclaredInterface } from '../model/policy';
import { protocolNumber } from '../model/protocols';
import { loadConfig, type LoadedConfig } from '../normalize/load';
import { formatOfFile } from '../normalize/registry';
import { audit, type FirewallUnderAudit, type RequirementUnderAudit } from '../audit/audit';
import {
  SEVERITY_RANK,
  type AuditReport,
  type ConfigWarning,
  type Finding,
  type FirewallSummary,
  type RequirementResult,
  type Severity,
} from '../audit/types';
import { applySuppressions, readBaseline } from '../audit/suppress';
import { loadWaivers } from '../audit/waivers';
import { applySeverityPolicy } from '../audit/severity';
import { FINDING_KINDS } from '../audit/finding-kinds';
import { loadMatrix, type Matrix } from '../matrix';
import { displayPath } from '../input';
import {
  checkDeploymentAgainstMatrix,
  checkDeploymentFiles,
  loadDeployment,
  loadDeploymentMatrix,
  translationMembers,
  type Deployment,
  type Firewall,
  type Translation,
} from '../deployment';
import { auditEvidence } from './evidence';
import { VERSION } from './version';

/** How findings are judged: the lowest severity that fails the run, and what suppresses findings. */
export interface JudgeOptions {
  failOn: Severity | 'none';
  /** A waiver file (YAML or JSON). */
  waivers?: string;
  /** An earlier JSON report whose findings do not fail the run. */
  baseline?: string;
  /** The day waivers expire against; today by default. */
  now?: Date;
  /** Audit only these firewalls of the deployment (by name). */
  firewalls?: readonly string[];
}

const DEFAULT_JUDGE: JudgeOptions = { failOn: 'medium' };

/** One configuration audited without a deployment file: what the deployment would say about it. */
export interface ConfigurationTarget {
  config: string | string[];
  type?: string;
  /** A built-in matrix id or a matrix file. */
  matrix: string;
  /** Role id → addresses (IPv4/IPv6 addresses, CIDR networks, ranges a-b). */
  roles: Readonly<Record<string, readonly string[]>>;
  /** Where the firewall stands; by default where firewalls of its format usually do (`ConfigFormat.placement`). */
  placement?: 'host' | 'network';
  /** A host firewall's addresses. */
  host?: readonly string[];
  /** Interface → the networks behind it. */
  interfaces?: Readonly<Record<string, readonly string[]>>;
  /** Options of the configuration's format (iptables: `ipsets`, a path). */
  options?: Readonly<Record<string, unknown>>;
  /** What messages call each field (the command line names its options: `--host`). */
  fieldNames?: Partial<Record<'matrix' | 'roles' | 'host' | 'interfaces', string>>;
}

const ANY_ROLE = 'any';

/** Reads and checks a deployment file and its matrix. */
export function loadDeploymentFile(file: string): { deployment: Deployment; matrix: Matrix } {
  if (!fs.existsSync(file)) {
    throw new InputError([
      { location: { file }, message: 'no deployment file here: give its path, or --config FILE --matrix ID --role NAME=ADDR…' },
    ]);
  }
  const deployment = loadDeployment(file);
  const matrix = loadDeploymentMatrix(deployment);
  const problems = [...checkDeploymentAgainstMatrix(deployment, matrix), ...checkDeploymentFiles(deployment)];
  if (problems.length > 0) throw new InputError(problems);
  return { deployment, matrix };
}

/** The one-firewall deployment a configuration target stands for, checked like a deployment file. */
export function deploymentOf(target: ConfigurationTarget): { deployment: Deployment; matrix: Matrix } {
  const field = (name: 'matrix' | 'roles' | 'host' | 'interfaces'): Location => ({ file: target.fieldNames?.[name] ?? name });
  const configs = (typeof target.config === 'string' ? [target.config] : target.config).map((file) => path.resolve(file));
  const interfaces = new Map(Object.entries(target.interfaces ?? {}).map(([name, nets]) => [name, [...nets]]));
  const common = {
    name: path.basename(configs[0]),
    configs,
    pointer: '/firewalls/0',
    options: { ...target.options },
    ...(target.type ? { type: target.type } : {}),
    ...(interfaces.size > 0 ? { interfaces } : {}),
  };
  const placement = target.placement ?? formatOfFile(configs[0], target.type).placement;
  const firewall: Firewall =
    placement === 'network' ? { ...common, placement: 'network' } : { ...common, placement: 'host', host: [...(target.host ?? [])] };
  if (firewall.placement === 'host' && firewall.host.length === 0) {
    throw new InputError([{ location: field('host'), message: 'a host firewall needs the addresses it protects (ADDR[,ADDR…])' }]);
  }
  const deployment: Deployment = {
    file: 'command line',
    matrix: target.matrix,
    roles: new Map(Object.entries(target.roles).map(([role, addresses]) => [role, [...addresses]])),
    firewalls: [firewall],
    optional: [],
    translations: [],
    severities: { kinds: {}, overrides: [] },
    locate: (pointer) => ({
      file: pointer === '/matrix' ? field('matrix').file : pointer.startsWith('/roles') ? field('roles').file : 'command line',
      path: pointer,
    }),
  };
  const matrix = loadMatrix(target.matrix, process.cwd());
  const problems = [...checkDeploymentAgainstMatrix(deployment, matrix), ...checkDeploymentFiles(deployment)];
  if (problems.length > 0) throw new InputError(problems);
  return { deployment, matrix };
}

/** Audits every firewall of a deployment file. */
export function auditDeployment(file: string, judge: JudgeOptions = DEFAULT_JUDGE): AuditReport {
  const { deployment, matrix } = loadDeploymentFile(file);
  return auditReport(deployment, matrix, judge);
}

/** Audits one configuration against a matrix, without a deployment file. */
export function auditConfiguration(target: ConfigurationTarget, judge: JudgeOptions = DEFAULT_JUDGE): AuditReport {
  const { deployment, matrix } = deploymentOf(target);
  return auditReport(deployment, matrix, judge);
}

/** Addresses as written in a deployment → per-family ranges; bad ones are located input errors. */
export function addressSet(written: readonly string[], location: Location): AddressSet {
  const ranges: Record<Family, Ranges> = { 4: Ranges.EMPTY, 6: Ranges.EMPTY };
  const problems: Diagnostic[] = [];
  for (const text of written) {
    const network = parseNetwork(text);
    if (!network) problems.push({ location, message: `"${text}" is not an address, CIDR network or range a-b` });
    else ranges[network.family] = ranges[network.family].union(network.ranges);
  }
  if (problems.length > 0) throw new InputError(problems);
  return ranges;
}

function portRanges(list: { from: number; to: number }[]): Ranges {
  return Ranges.fromIntervals(list.map((p) => [BigInt(p.from), BigInt(p.to)] as const));
}

/** The matrix's requirements, with the deployment's optional ones and load-balancer translations. */
function requirementsUnderAudit(deployment: Deployment, matrix: Matrix): RequirementUnderAudit[] {
  const errataById = new Map(matrix.errata.map((e) => [e.id, e]));
  return matrix.requirements.map((req) => {
    const ports = portRanges(req.ports);
    const translations = deployment.translations.filter((t) => t.vip === req.destination && ports.contains(BigInt(t.from)));
    return {
      id: req.id,
      source: req.source,
      destination: req.destination,
      // The matrix schema admits only protocols the model knows.
      protocol: protocolNumber(req.protocol)!,
      ports,
      sourcePorts: portRanges(req.sourcePorts),
      errata: req.errata.map((id) => ({ id, title: errataById.get(id)?.title ?? id })),
      optional: req.optional || deployment.optional.includes(req.id),
      ...(translations.length > 0 ? { translated: translatedFlow(ports, translations) } : {}),
    };
  });
}

/** A firewall of the deployment loaded: its configuration, and what the audit needs to place flows on it. */
export interface LoadedFirewall {
  firewall: Firewall;
  loaded: LoadedConfig;
  underAudit: FirewallUnderAudit;
}

/**
 * Loads a firewall's configuration with what the deployment knows of it. Interfaces the
 * configuration declares (pfSense) come first; the deployment's replace them by name.
 * `trees: false` leaves out the syntax trees, which an audit does not read.
 */
export function loadFirewall(deployment: Deployment, fw: Firewall, { trees = true }: { trees?: boolean } = {}): LoadedFirewall {
  const declared: DeclaredInterface[] = [...(fw.interfaces ?? new Map<string, string[]>())].map(([name, nets]) => ({
    name,
    networks: addressSet(nets, deployment.locate(`${fw.pointer}/interfaces/${name}`)),
  }));
  const host = fw.placement === 'host' ? addressSet(fw.host, deployment.locate(`${fw.pointer}/host`)) : NO_ADDRESSES;
  const loaded = loadConfig(fw.configs, {
    ...(fw.type ? { type: fw.type } : {}),
    interfaceNames: declared.map((i) => i.name),
    interfaces: declared,
    options: fw.options,
    ...(fw.placement === 'host' ? { localAddresses: host } : {}),
    trees,
  });
  const interfaces = [...loaded.interfaces.filter((i) => !declared.some((d) => d.name === i.name)), ...declared];
  // Some configurations name their interfaces and networks (pfSense); the others need the deployment to.
  if (fw.placement === 'network' && interfaces.length === 0) {
    throw new InputError([
      {
        location: deployment.locate(`${fw.pointer}/interfaces`),
        message: 'a network firewall needs the networks behind each interface (NAME=NET[,NET…]): its configuration names none',
      },
    ]);
  }
  const own = fw.placement === 'host' ? host : (loaded.ownAddresses ?? NO_ADDRESSES);
  return {
    firewall: fw,
    loaded,
    underAudit: { name: fw.name, placement: { kind: fw.placement, host: own, interfaces }, programs: loaded.programs },
  };
}

function firewallSummary(fw: Firewall, loaded: LoadedConfig): FirewallSummary {
  return {
    name: fw.name,
    type: loaded.type,
    file: displayPath(fw.configs[0]),
    ...(fw.configs.length > 1 ? { files: fw.configs.map(displayPath) } : {}),
    rules: ruleTotal(loaded),
    placement: fw.placement,
  };
}

/** The rules of a firewall's files: programs made from the same file (Windows: one per family) count its rules once. */
function ruleTotal(loaded: LoadedConfig): number {
  const byFile = new Map<string, number>();
  for (const p of loaded.programs) byFile.set(p.file, Math.max(byFile.get(p.file) ?? 0, p.ruleCount));
  return [...byFile.values()].reduce((n, count) => n + count, 0);
}

/** The roles' addresses (with `any`, every address unless the deployment says), and the addresses of them all. */
function roleAddresses(deployment: Deployment): { roles: Map<string, AddressSet>; all: AddressSet } {
  const roles = new Map<string, AddressSet>();
  const full = PacketSet.full();
  roles.set(ANY_ROLE, { 4: full.project('src', 4), 6: full.project('src', 6) });
  for (const [role, written] of deployment.roles) roles.set(role, addressSet(written, deployment.locate(`/roles/${role}`)));
  let all = NO_ADDRESSES;
  for (const [role, addresses] of roles) if (role !== ANY_ROLE || deployment.roles.has(ANY_ROLE)) all = unionOfAddresses(all, addresses);
  return { roles, all };
}

/**
 * Audits every firewall of a deployment: the report, its verdict set by the threshold. A firewall
 * whose configuration cannot be used is reported in `errors` (and fails the verdict) while the
 * others are audited all the same.
 */
export function auditReport(deployment: Deployment, matrix: Matrix, judge: JudgeOptions): AuditReport {
  const chosen = selectFirewalls(deployment, judge.firewalls);
  return reportOfShares(
    chosen,
    matrix,
    chosen.firewalls.map((fw) => firewallShare(chosen, matrix, fw)),
    judge,
  );
}

/**
 * What an audit says of one firewall before its findings are judged. A firewall's audit depends
 * on no other's, so shares computed apart (in worker threads) and joined in the deployment's order
 * make the report that computing them one after the other makes.
 */
export interface FirewallShare {
  /** Absent when the configuration could not be used (then `errors` says why). */
  summary?: FirewallSummary;
  warnings: ConfigWarning[];
  errors: ConfigWarning[];
  results: RequirementResult[];
  findings: Finding[];
}

/** Loads and audits one firewall of the deployment. */
export function firewallShare(deployment: Deployment, matrix: Matrix, fw: Firewall): FirewallShare {
  let loaded: LoadedFirewall;
  try {
    // Dropped once normalized: a 100k-rule dump's syntax trees hold more memory than its programs.
    loaded = loadFirewall(deployment, fw, { trees: false });
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { warnings: [], errors: e.diagnostics.map((d) => configWarning(fw.name, d)), results: [], findings: [] };
  }
  return loadedShare(deployment, matrix, loaded);
}

function loadedShare(deployment: Deployment, matrix: Matrix, { firewall, loaded, underAudit }: LoadedFirewall): FirewallShare {
  const { roles, all } = roleAddresses(deployment);
  const { results, findings } = audit({
    roles,
    roleAddresses: all,
    requirements: requirementsUnderAudit(deployment, matrix),
    firewalls: [underAudit],
  });
  for (const r of results) for (const ref of r.decidedBy) ref.file = displayPath(ref.file);
  for (const f of findings) {
    if (f.rule) f.rule = { ...f.rule, file: displayPath(f.rule.file) };
    if (f.hints) f.hints = f.hints.map((h) => ({ ...h, rule: { ...h.rule, file: displayPath(h.rule.file) } }));
  }
  return {
    summary: firewallSummary(firewall, loaded),
    warnings: loaded.warnings.map((w) => configWarning(firewall.name, w)),
    errors: [],
    results,
    findings,
  };
}

/** The one firewall of a deployment a command is about: the named one, or the only one. */
export function chosenFirewall(deployment: Deployment, name: string | undefined, purpose: string): Firewall {
  const names = deployment.firewalls.map((f) => f.name).join(', ');
  if (name !== undefined) {
    const firewall = deployment.firewalls.find((f) => f.name === name);
    if (!firewall)
      throw new InputError([
        { location: { file: '--firewall' }, message: `no firewall '${name}' in ${displayPath(deployment.file)}; its firewalls: ${names}` },
      ]);
    return firewall;
  }
  if (deployment.firewalls.length === 1) return deployment.firewalls[0];
  throw new InputError([
    {
      location: { file: '--firewall' },
      message: `${displayPath(deployment.file)} has ${deployment.firewalls.length} firewalls (${names}): name the one ${purpose} with --firewall NAME`,
    },
  ]);
}

/** The deployment with only the named firewalls (all of them when no names are given); an unknown name is an input error. */
export function selectFirewalls(deployment: Deployment, names: readonly string[] | undefined): Deployment {
  if (names === undefined) return deployment;
  const known = deployment.firewalls.map((f) => f.name);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new InputError(
      unknown.map((name) => ({
        location: { file: '--firewall' },
        message: `no firewall '${name}' in ${displayPath(deployment.file)}; its firewalls: ${known.join(', ')}`,
      })),
    );
  }
  return { ...deployment, firewalls: deployment.firewalls.filter((f) => names.includes(f.name)) };
}

/** The same for firewalls already loaded (or programs built some other way). */
export function auditLoadedFirewalls(
  deployment: Deployment,
  matrix: Matrix,
  firewalls: LoadedFirewall[],
  judge: JudgeOptions,
  errors: ConfigWarning[] = [],
): AuditReport {
  const shares = firewalls.map((f) => loadedShare(deployment, matrix, f));
  return reportOfShares(deployment, matrix, [...shares, { warnings: [], errors, results: [], findings: [] }], judge);
}

/** The report of the firewalls' shares, in their order: findings judged against the severities, waivers, baseline and threshold. */
export function reportOfShares(deployment: Deployment, matrix: Matrix, shares: readonly FirewallShare[], judge: JudgeOptions): AuditReport {
  const { roles } = roleAddresses(deployment);
  const joined = <T>(part: (share: FirewallShare) => readonly T[]): T[] => {
    const out: T[] = [];
    for (const share of shares) for (const item of part(share)) out.push(item);
    return out;
  };
  const errors = joined((s) => s.errors);
  const results = joined((s) => s.results);
  const findings = joined((s) => s.findings);
  const waivers = judge.waivers !== undefined ? loadWaivers(judge.waivers) : [];
  const baseline = judge.baseline !== undefined ? readBaseline(judge.baseline) : new Set<string>();
  const now = judge.now ?? new Date();
  const judged = applySeverityPolicy(findings, deployment.severities);
  const { active, suppressed: waived, waivers: waiverStatuses } = applySuppressions(judged.findings, waivers, baseline, now);
  const suppressed = [...judged.off, ...waived];
  const failing =
    errors.length > 0 || (judge.failOn !== 'none' && active.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[judge.failOn]));
  return {
    schemaVersion: 1,
    tool: { name: 'fwmatrix', version: VERSION },
    verdict: failing ? 'fail' : 'pass',
    failOn: judge.failOn,
    matrix: { id: matrix.id, title: matrix.title, ...(matrix.version !== undefined ? { version: matrix.version } : {}) },
    evidence: auditEvidence(deployment, matrix, judge, now),
    roles: [...roles]
      .filter(([id]) => id !== ANY_ROLE || deployment.roles.has(ANY_ROLE))
      .map(([id, a]) => ({ id, addresses: [...formatRanges(4, a[4]), ...formatRanges(6, a[6])] })),
    firewalls: joined((s) => (s.summary ? [s.summary] : [])),
    errors,
    warnings: joined((s) => s.warnings),
    results,
    findings: sortFindings(active),
    suppressed: sortFindings(suppressed),
    help: Object.fromEntries([...new Set([...active, ...suppressed].map((f) => f.kind))].map((kind) => [kind, FINDING_KINDS[kind].help])),
    waivers: waiverStatuses.map((w) => ({ ...w, file: displayPath(path.resolve(w.file)) })),
    errata: matrix.errata.map((e) => ({ id: e.id, title: e.title, text: e.text })),
  };
}

function configWarning(firewall: string, warning: Diagnostic): ConfigWarning {
  const { file, line, path: xmlPath } = warning.location;
  return {
    firewall,
    file: displayPath(file),
    ...(line !== undefined ? { line } : {}),
    ...(xmlPath !== undefined ? { path: xmlPath } : {}),
    message: warning.message,
  };
}

/** The members' ports a VIP's ports become: translated ports replaced, the others kept. */
function translatedFlow(ports: Ranges, translations: Translation[]): { destination: string; ports: Ranges } {
  let translated = ports;
  for (const t of translations) translated = translated.subtract(Ranges.point(BigInt(t.from))).union(Ranges.point(BigInt(t.to)));
  return { destination: translationMembers(translations[0]), ports: translated };
}

function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      a.firewall.localeCompare(b.firewall) ||
      (a.rule?.line ?? 0) - (b.rule?.line ?? 0) ||
      a.kind.localeCompare(b.kind) ||
      (a.requirement ?? '').localeCompare(b.requirement ?? ''),
  );
}
