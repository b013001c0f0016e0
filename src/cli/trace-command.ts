/** `fwmatrix trace`: what the options say the packets go through — a configuration, or a deployment's firewall. */
import type { Location } from '../model/errors';
import { loadConfig } from '../normalize';
import type { PolicyProgram } from '../model/policy';
import { placeProbe, traceProbe, traceTarget, type Probe, type TraceOutput } from '../app/trace';
import { configType, optionError } from './options';

export interface TraceCliOptions {
  from?: string;
  to?: string;
  proto?: string;
  dport?: number;
  sport?: number;
  in?: string;
  out?: string;
  chain?: string;
  type?: string;
  profile?: string;
  probes?: string;
  format: string;
  output?: string;
  deployment?: string;
  firewall?: string;
  expect?: 'accept' | 'deny';
}

/** Traces probes through what the options name: each probe is placed as the deployment's firewall would see it. */
export interface Tracer {
  trace(probe: Probe, where: Location): TraceOutput;
}

export function tracer(config: string | undefined, opts: TraceCliOptions): Tracer {
  const type = configType(opts.type);
  if ((config === undefined) === (opts.deployment === undefined))
    throw optionError('trace', 'give a configuration file, or --deployment FILE (with --firewall NAME when it has several)');
  if (opts.firewall !== undefined && opts.deployment === undefined)
    throw optionError('--firewall', 'names a firewall of a deployment: give --deployment FILE too');
  let programs: PolicyProgram[];
  let place = (probe: Probe): Probe => probe;
  if (opts.deployment !== undefined) {
    const target = traceTarget(opts.deployment, opts.firewall);
    programs = target.programs;
    place = (probe) => placeProbe(probe, target, { file: 'command line' });
  } else {
    const loaded = loadConfig([config!], type !== undefined ? { type } : {});
    programs = loaded.programs;
    if (opts.profile !== undefined && !programs.some((p) => p.points.some((point) => point.variant !== undefined))) {
      throw optionError('--profile', `a Windows Firewall profile means nothing to an ${loaded.type} configuration`);
    }
  }
  const variant = opts.profile === undefined ? {} : { variant: opts.profile };
  return { trace: (probe, where) => traceProbe(programs, place(probe), where, variant) };
}

/** The packet the command line describes. */
export function commandLineProbe(opts: TraceCliOptions): Probe {
  if (opts.from === undefined || opts.to === undefined || opts.proto === undefined)
    throw optionError('trace', 'give --from, --to and --proto (or --probes FILE)');
  const probe: Probe = { from: opts.from, to: opts.to, proto: opts.proto };
  if (opts.sport !== undefined) probe.sport = opts.sport;
  if (opts.dport !== undefined) probe.dport = opts.dport;
  for (const key of ['in', 'out', 'chain'] as const) if (opts[key] !== undefined) probe[key] = opts[key];
  return probe;
}

/** Whether a result meets --expect: accept is accept; deny is drop or reject; undetermined meets neither. */
export function meetsExpectation(result: TraceOutput, expect: TraceCliOptions['expect']): boolean {
  if (expect === undefined) return true;
  return expect === 'accept' ? result.verdict === 'accept' : result.verdict === 'drop' || result.verdict === 'reject';
}
