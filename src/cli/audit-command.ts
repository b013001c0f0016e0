/** `fwmatrix audit`: deployment (or one --config) + matrix → audit → report and exit code. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PacketSet, Ranges, parseNetwork, formatRanges, type Family } from '../packetset';
import { InputError, type Diagnostic, type Location } from '../model/errors';
import { loadConfig } from '../normalize/load';
import { audit, type FirewallUnderAudit, type RequirementUnderAudit } from '../audit/audit';
import { NO_ADDRESSES, union, type AddressSet, type InterfaceNetworks } from '../audit/scope';
import { SEVERITY_RANK, type AuditReport, type Finding, type Severity } from '../audit/types';
import { applySuppressions, readBaseline } from '../audit/suppress';
import { renderText } from '../report/text';
import { renderReport, type ReportFormat } from '../report';
import { loadMatrix, type Matrix } from '../matrix';
import {
  checkDeploymentAgainstMatrix,
  checkDeploymentFiles,
  loadDeployment,
  loadDeploymentMatrix,
  loadWaivers,
  translationMembers,
  type Deployment,
  type Firewall,
  type Translation,
} from '../deployment';
import { protocolNumber } from '../normalize/iptables/matches';
import { VERSION } from './version';
import { displayPath } from '../input/document';

export interface AuditOptions {
  format: ReportFormat;
  output?: string;
  failOn: Severity | 'none';
  waivers?: string;
  baseline?: string;
  color: boolean;
  quiet?: boolean;
  config?: string;
  type?: string;
  matrix?: string;
  role?: string[];
  placement: 'host' | 'network';
  host?: string;
  interface?: string[];
}

const ANY_ROLE = 'any';

export function runAudit(deploymentFile: string | undefined, opts: AuditOptions): { text: string; exitCode: number } {
  const { deployment, matrix } =
    opts.config !== undefined ? deploymentFromOptions(deploymentFile, opts) : deploymentFromFile(deploymentFile ?? 'fwmatrix.yml');
  const report = auditReport(deployment, matrix, opts);
  // --quiet keeps the text report's verdict line; machine formats are always whole.
  const text =
    opts.quiet && opts.format === 'text'
      ? renderText(report, { color: opts.color }).trimEnd().split('\n').pop() + '\n'
      : renderReport(report, opts.format, { color: opts.color });
  return { text, exitCode: report.verdict === 'fail' ? 1 : 0 };
}

export function deploymentFromFile(file: string): { deployment: Deployment; matrix: Matrix } {
  if (!fs.existsSync(file))
    throw new InputError([
      { location: { file }, message: 'no deployment file here: give its path, or --config FILE --matrix ID --role NAME=ADDR…' },
    ]);
  const deployment = loadDeployment(file);
  const matrix = loadDeploymentMatrix(deployment);
  const problems = [...checkDeploymentAgainstMatrix(deployment, matrix), ...checkDeploymentFiles(deployment)];
  if (problems.length > 0) throw new InputError(problems);
  return { deployment, matrix };
}

/** A one-firewall deployment from --config, --matrix, --role, --placement, --host, --interface. */
export function deploymentFromOptions(positional: string | undefined, opts: AuditOptions): { deployment: Deployment; matrix: Matrix } {
  const where = (option: string): Location => ({ file: option });
  if (positional !== undefined)
    throw new InputError([{ location: where('audit'), message: 'give either a deployment file or --config, not both' }]);
  if (opts.matrix === undefined)
    throw new InputError([{ location: where('--matrix'), message: 'with --config, name the matrix: --matrix ID|FILE' }]);
  const pairs = (values: string[] | undefined, option: string): Map<string, string[]> => {
    const map = new Map<string, string[]>();
    for (const value of values ?? []) {
      const eq = value.indexOf('=');
      if (eq <= 0) throw new InputError([{ location: where(option), message: `expected NAME=ADDR[,ADDR…], got "${value}"` }]);
      map.set(value.slice(0, eq), [
        ...(map.get(value.slice(0, eq)) ?? []),
        ...value
          .slice(eq + 1)
          .split(',')
          .filter(Boolean),
      ]);
    }
    return map;
  };
  const configFile = path.resolve(opts.config!);
  const interfaces = pairs(opts.interface, '--interface');
  const common = {
    name: path.basename(configFile),
    configs: [configFile],
    pointer: '/firewalls/0',
    ...(opts.type ? { type: opts.type as Firewall['type'] } : {}),
    ...(interfaces.size > 0 ? { interfaces } : {}),
  };
  const firewall: Firewall =
    opts.placement === 'network'
      ? { ...common, placement: 'network' }
      : { ...common, placement: 'host', host: (opts.host ?? '').split(',').filter(Boolean) };
  if (firewall.placement === 'host' && firewall.host.length === 0)
    throw new InputError([{ location: where('--host'), message: 'a host firewall needs --host ADDR[,ADDR…]: the addresses it protects' }]);
  if (firewall.placement === 'network' && interfaces.size === 0)
    throw new InputError([
      { location: where('--interface'), message: 'a network firewall needs --interface NAME=NET[,NET…] for each interface' },
    ]);
  const deployment: Deployment = {
    file: 'command line',
    matrix: opts.matrix,
    roles: pairs(opts.role, '--role'),
    firewalls: [firewall],
    optional: [],
    translations: [],
    locate: (pointer) => ({ file: 'command line', path: pointer }),
  };
  const matrix = loadMatrix(opts.matrix, process.cwd());
  const problems = [...checkDeploymentAgainstMatrix(deployment, matrix), ...checkDeploymentFiles(deployment)];
  if (problems.length > 0) throw new InputError(problems);
  return { deployment, matrix };
}

/** Addresses as written in a deployment → per-family ranges; bad ones are located input errors. */
export function addressSet(written: string[], location: Location): AddressSet {
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

/** Audits every firewall of a deployment: the report, its verdict set by --fail-on. */
export function auditReport(
  deployment: Deployment,
  matrix: Matrix,
  opts: Pick<AuditOptions, 'failOn' | 'waivers' | 'baseline'>,
): AuditReport {
  const roles = new Map<string, AddressSet>();
  const full = PacketSet.full();
  const everything: AddressSet = { 4: full.project('src', 4), 6: full.project('src', 6) };
  roles.set(ANY_ROLE, everything);
  for (const [role, written] of deployment.roles) roles.set(role, addressSet(written, deployment.locate(`/roles/${role}`)));
  let roleAddresses = NO_ADDRESSES;
  for (const [role, addresses] of roles)
    if (role !== ANY_ROLE || deployment.roles.has(ANY_ROLE)) roleAddresses = union(roleAddresses, addresses);

  const errataById = new Map(matrix.errata.map((e) => [e.id, e]));
  const requirements: RequirementUnderAudit[] = matrix.requirements.map((req) => {
    const ports = portRanges(req.ports);
    const translations = deployment.translations.filter((t) => t.vip === req.destination && ports.contains(BigInt(t.from)));
    return {
      id: req.id,
      source: req.source,
      destination: req.destination,
      protocol: protocolNumber(req.protocol),
      ports,
      sourcePorts: portRanges(req.sourcePorts),
      errata: req.errata.map((id) => ({ id, title: errataById.get(id)?.title ?? id })),
      optional: req.optional || deployment.optional.includes(req.id),
      ...(translations.length > 0 ? { translated: translatedFlow(ports, translations) } : {}),
    };
  });

  const firewalls: FirewallUnderAudit[] = [];
  const summaries: AuditReport['firewalls'] = [];
  for (const fw of deployment.firewalls) {
    const interfaces: InterfaceNetworks[] = [...(fw.interfaces ?? new Map<string, string[]>())].map(([name, nets]) => ({
      name,
      networks: addressSet(nets, deployment.locate(`${fw.pointer}/interfaces/${name}`)),
    }));
    const host = fw.placement === 'host' ? addressSet(fw.host, deployment.locate(`${fw.pointer}/host`)) : NO_ADDRESSES;
    const loaded = loadConfig(fw.configs, {
      ...(fw.type ? { type: fw.type } : {}),
      interfaceNames: interfaces.map((i) => i.name),
      ...(fw.ipsets ? { ipsetFile: fw.ipsets } : {}),
      ...(fw.placement === 'host' ? { localAddresses: host } : {}),
    });
    firewalls.push({ name: fw.name, placement: { kind: fw.placement, host, interfaces }, programs: loaded.programs });
    summaries.push({
      name: fw.name,
      type: loaded.type,
      file: displayPath(fw.configs[0]),
      ...(fw.configs.length > 1 ? { files: fw.configs.map(displayPath) } : {}),
      rules: loaded.programs.reduce((n, p) => n + p.ruleCount, 0),
      placement: fw.placement,
    });
  }
  const { results, findings } = audit({ roles, roleAddresses, requirements, firewalls });
  for (const r of results) for (const ref of r.decidedBy) ref.file = displayPath(ref.file);
  for (const f of findings) if (f.rule) f.rule = { ...f.rule, file: displayPath(f.rule.file) };

  const waivers = opts.waivers !== undefined ? loadWaivers(opts.waivers) : [];
  const baseline = opts.baseline !== undefined ? readBaseline(opts.baseline) : new Set<string>();
  const { active, suppressed } = applySuppressions(findings, waivers, baseline, new Date());
  const definedAny = deployment.roles.get(ANY_ROLE);
  const failing = opts.failOn !== 'none' && active.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[opts.failOn]);
  return {
    schemaVersion: 1,
    tool: { name: 'fwmatrix', version: VERSION },
    verdict: failing ? 'fail' : 'pass',
    failOn: opts.failOn,
    matrix: { id: matrix.id, title: matrix.title },
    roles: [...roles]
      .filter(([id]) => id !== ANY_ROLE || definedAny)
      .map(([id, a]) => ({ id, addresses: [...formatRanges(4, a[4]), ...formatRanges(6, a[6])] })),
    firewalls: summaries,
    results,
    findings: sortFindings(active),
    suppressed: sortFindings(suppressed),
    errata: matrix.errata.map((e) => ({ id: e.id, title: e.title, text: e.text })),
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
