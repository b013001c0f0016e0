/**
 * What a change to a configuration does, before it is made: the flows whose fate changes
 * (compareFilters), and with a matrix (a deployment, or a configuration target) the findings the
 * change introduces and fixes, by fingerprint.
 */
import * as path from 'node:path';
import { NO_ADDRESSES, type AddressSet, type Family } from '../packetset';
import { InputError } from '../model/errors';
import type { DeclaredInterface, PolicyProgram } from '../model/policy';
import { loadConfig, type LoadOptions, type LoadedConfig } from '../normalize/load';
import { formatOfFile } from '../normalize/registry';
import { compareFilters, interfaceNames, sameInterfaces } from '../audit/compare';
import { SEVERITY_RANK, type AuditReport, type DiffReport, type Finding, type FindingChanges } from '../audit/types';
import { displayPath } from '../input';
import type { Deployment, Firewall } from '../deployment';
import {
  addressSet,
  auditReport,
  chosenFirewall,
  deploymentOf,
  loadDeploymentFile,
  loadFirewall,
  type ConfigurationTarget,
  type JudgeOptions,
} from './audit';
import type { Placement } from '../audit/scope';
import { VERSION } from './version';

export type { DiffReport, FindingChanges };

export interface DiffOptions extends JudgeOptions {
  type?: string;
  /** BEFORE and AFTER stand for the configuration of one firewall of this deployment (the only one, or `firewall`). */
  deployment?: { file: string; firewall?: string };
  /** Without a deployment: what the firewall is, and with a matrix what it must allow. */
  target?: Partial<Omit<ConfigurationTarget, 'config'>>;
}

/** How BEFORE and AFTER are read and audited: as the firewall they stand for would be. */
interface DiffContext {
  load: LoadOptions;
  /** Where the firewall stands, when known (from AFTER as loaded): the flows compared are those it sees there. */
  placement: (after: LoadedConfig) => Placement | undefined;
  subject?: string;
  /** The audits of BEFORE and of AFTER (their address families given); absent without a matrix. */
  audits?: (before: string, after: string, families: readonly Family[]) => { before: AuditReport; after: AuditReport };
}

export function diffConfigurations(before: string, after: string, opts: DiffOptions): DiffReport {
  const context = opts.deployment !== undefined ? deploymentContext(opts.deployment, opts) : targetContext(opts, after);
  const shown = { before: displayPath(path.resolve(before)), after: displayPath(path.resolve(after)) };
  const configs = loadComparable(shown.before, shown.after, context.load);
  const families = configs.before.programs.map((p) => p.family);
  const placement = context.placement(configs.after);
  const changes = families.flatMap((family) =>
    compareFilters(programOf(configs.before, family), programOf(configs.after, family), placement),
  );
  const findings = context.audits ? compareFindings(context.audits(before, after, families)) : undefined;
  const failing =
    opts.failOn !== 'none' &&
    (findings?.introduced ?? []).some((f) => f.suppressedBy === undefined && SEVERITY_RANK[f.severity] >= SEVERITY_RANK[opts.failOn]);
  return {
    schemaVersion: 1,
    tool: { name: 'fwmatrix', version: VERSION },
    verdict: failing ? 'fail' : 'pass',
    failOn: opts.failOn,
    ...shown,
    ...(context.subject !== undefined ? { subject: context.subject } : {}),
    changes,
    ...(findings ? { findings } : {}),
  };
}

/** Findings matched by fingerprint, each at most once (a rule written twice gives two findings with one fingerprint). */
export function compareFindings(reports: { before: AuditReport; after: AuditReport }): FindingChanges {
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
  const introduced = unmatched(all(reports.after), all(reports.before));
  return {
    introduced,
    fixed: unmatched(all(reports.before), all(reports.after)),
    unchanged: all(reports.after).length - introduced.length,
  };
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

/** Without a deployment: the target's host and interfaces describe the firewall; its matrix and roles add the audit. */
function targetContext(opts: DiffOptions, after: string): DiffContext {
  const target = opts.target ?? {};
  const placementKind = target.placement ?? formatOfFile(after, opts.type).placement;
  const host = target.host !== undefined ? addressSet(target.host, { file: target.fieldNames?.host ?? 'host' }) : undefined;
  const interfaces = Object.entries(target.interfaces ?? {}).map(([name, nets]) => ({
    name,
    networks: addressSet(nets, { file: target.fieldNames?.interfaces ?? 'interfaces' }),
  }));
  const load: LoadOptions = {
    ...(opts.type ? { type: opts.type } : {}),
    interfaceNames: interfaces.map((i) => i.name),
    interfaces,
    options: { ...target.options },
    ...(placementKind !== 'network' && host ? { localAddresses: host } : {}),
  };
  // Where the options say the firewall stands: a host, or a gateway between its networks.
  const placement = (loaded: LoadedConfig): Placement | undefined =>
    placementKind === 'network' ? networkPlacement(interfaces, host, loaded) : host ? { kind: 'host', host, interfaces } : undefined;
  const { matrix } = target;
  if (matrix === undefined) return { load, placement };
  return {
    load,
    placement,
    subject: `matrix ${matrix}`,
    audits: (before, after) => {
      // The firewall is named after AFTER in both audits, so that findings that stay keep their fingerprint.
      const { deployment, matrix: loaded } = deploymentOf({
        ...target,
        roles: target.roles ?? {},
        placement: placementKind,
        matrix,
        config: after,
        ...(opts.type ? { type: opts.type } : {}),
      });
      const firewall = deployment.firewalls[0];
      return {
        before: auditReport(withConfigs(deployment, firewall, [path.resolve(before)]), loaded, opts),
        after: auditReport(deployment, loaded, opts),
      };
    },
  };
}

/**
 * A network firewall between the interfaces given and those its configuration declares (pfSense;
 * the given ones replace them by name), as `audit` places it; unplaced when neither names any.
 */
function networkPlacement(given: DeclaredInterface[], host: AddressSet | undefined, loaded: LoadedConfig): Placement | undefined {
  const interfaces = [...loaded.interfaces.filter((i) => !given.some((g) => g.name === i.name)), ...given];
  if (interfaces.length === 0) return undefined;
  return { kind: 'network', host: host ?? loaded.ownAddresses ?? NO_ADDRESSES, interfaces };
}

/** With a deployment: BEFORE and AFTER stand for the configuration of one of its firewalls. */
function deploymentContext(chosen: { file: string; firewall?: string }, opts: DiffOptions): DiffContext {
  const { deployment, matrix } = loadDeploymentFile(chosen.file);
  const firewall = chosenFirewall(deployment, chosen.firewall, 'BEFORE and AFTER stand for');
  const type = firewall.type ?? opts.type;
  const load: LoadOptions = {
    ...(type ? { type } : {}),
    interfaceNames: [...(firewall.interfaces?.keys() ?? [])],
    interfaces: [...(firewall.interfaces ?? new Map<string, string[]>())].map(([name, nets]) => ({
      name,
      networks: addressSet(nets, deployment.locate(`${firewall.pointer}/interfaces/${name}`)),
    })),
    options: firewall.options,
    ...(firewall.placement === 'host' ? { localAddresses: addressSet(firewall.host, deployment.locate(`${firewall.pointer}/host`)) } : {}),
  };
  const typed: Firewall = { ...firewall, ...(type ? { type } : {}) };
  const { placement } = loadFirewall(deployment, typed).underAudit;
  return {
    load,
    placement: () => placement,
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

/** The deployment with `firewall` alone, reading `configs`. */
function withConfigs(deployment: Deployment, firewall: Firewall, configs: string[]): Deployment {
  return { ...deployment, firewalls: [{ ...firewall, configs }] };
}
