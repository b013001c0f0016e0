/** What the commands share: option errors, `--type`, `NAME=A,B` lists, and what an audit's options say. */
import { InputError } from '../model/errors';
import { CONFIG_TYPES } from '../normalize';
import type { ConfigurationTarget, JudgeOptions } from '../app/audit';

export function optionError(option: string, message: string): InputError {
  return new InputError([{ location: { file: option }, message }]);
}

export function configType(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!CONFIG_TYPES.includes(value)) throw optionError('--type', `expected one of ${CONFIG_TYPES.join(', ')}, got "${value}"`);
  return value;
}

/** `NAME=A,B` options (--role, --interface) as a record of lists; a name given twice gathers both lists. */
export function pairs(values: string[] | undefined, option: string): Record<string, string[]> {
  const record: Record<string, string[]> = Object.create(null);
  for (const value of values ?? []) {
    const eq = value.indexOf('=');
    if (eq <= 0) throw optionError(option, `expected NAME=ADDR[,ADDR…], got "${value}"`);
    const name = value.slice(0, eq);
    record[name] = [
      ...(record[name] ?? []),
      ...value
        .slice(eq + 1)
        .split(',')
        .filter(Boolean),
    ];
  }
  return { ...record };
}

/** The options of the commands that audit: report, judgement, and the firewall without a deployment. */
export interface AuditCliOptions {
  format: string;
  output?: string;
  failOn: JudgeOptions['failOn'];
  waivers?: string;
  baseline?: string;
  color: boolean;
  quiet?: boolean;
  /** One configuration without a deployment file: its files (an iptables-save and an ip6tables-save dump). */
  config?: string[];
  /** Further reports, FORMAT=FILE. */
  report?: string[];
  /** Only these firewalls of the deployment. */
  firewall?: string[];
  /** How many firewalls to audit at once (worker threads), as written. */
  jobs?: string;
  type?: string;
  matrix?: string;
  role?: string[];
  placement?: 'host' | 'network';
  host?: string;
  interface?: string[];
}

/** What audit and diff share. */
export type SharedCliOptions = Omit<AuditCliOptions, 'config' | 'report' | 'firewall' | 'jobs'>;

export function judgeOf(opts: SharedCliOptions): JudgeOptions {
  return {
    failOn: opts.failOn,
    ...(opts.waivers !== undefined ? { waivers: opts.waivers } : {}),
    ...(opts.baseline !== undefined ? { baseline: opts.baseline } : {}),
  };
}

/** What --matrix, --role, --placement, --host and --interface say about a firewall without a deployment. */
export function targetOf(opts: SharedCliOptions): Omit<ConfigurationTarget, 'config' | 'matrix'> & { matrix?: string } {
  const interfaces = pairs(opts.interface, '--interface');
  return {
    ...(opts.matrix !== undefined ? { matrix: opts.matrix } : {}),
    ...(opts.type !== undefined ? { type: configType(opts.type) } : {}),
    roles: pairs(opts.role, '--role'),
    ...(opts.placement !== undefined ? { placement: opts.placement } : {}),
    ...(opts.host !== undefined ? { host: opts.host.split(',').filter(Boolean) } : {}),
    ...(Object.keys(interfaces).length > 0 ? { interfaces } : {}),
    fieldNames: { matrix: '--matrix', roles: '--role', host: '--host', interfaces: '--interface' },
  };
}

export function lastLine(text: string): string {
  return text.trimEnd().split('\n').pop() + '\n';
}
