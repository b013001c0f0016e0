/**
 * Policy programs built by hand, in no vendor's words, for engine and audit tests: chains of
 * rules over addresses, protocols, ports and interfaces, and enforcement points named freely.
 * Every rule and policy gets the next line of an imaginary file, so findings can cite lines.
 */
import { PacketSet, Ranges, parseNetwork, type Dimension, type Family } from '../../src/packetset';
import {
  InterfaceUniverse,
  type Action,
  type DecisionChain,
  type EnforcementPoint,
  type PolicyProgram,
  type RuleOrder,
  type Traffic,
} from '../../src/model/policy';
import { exactly } from '../../src/model/match';
import { protocolNumber } from '../../src/model/protocols';

export interface RuleSpec {
  src?: string;
  dst?: string;
  proto?: string;
  dport?: number | [number, number];
  in?: string;
  out?: string;
  /** The rule's match is undecided for the packets it would match, for this reason. */
  undecided?: string;
  action: 'accept' | 'drop' | 'reject' | 'return' | 'continue' | { jump: string } | { goto: string } | { undetermined: string };
}

export interface PointSpec {
  id: string;
  traffic: Traffic;
  chains: string[];
  label?: string;
  interfaces?: { in?: string[]; out?: string[] };
  variant?: string;
}

export class ProgramBuilder {
  private readonly chains = new Map<string, DecisionChain>();
  private readonly points: EnforcementPoint[] = [];
  private readonly interfaceNames = new Set<string>();
  private pending: { chain: string; specs: RuleSpec[]; policy?: 'accept' | 'drop'; order: RuleOrder }[] = [];
  private line = 0;

  constructor(
    private readonly family: Family,
    private readonly file = 'built.policy',
    private readonly loopback: string[] = [],
  ) {}

  /** A chain; with a policy it can be a point's stage, without one it is entered by jumps. */
  chain(name: string, specs: RuleSpec[], options: { policy?: 'accept' | 'drop'; order?: RuleOrder } = {}): this {
    for (const spec of specs) for (const iface of [spec.in, spec.out]) if (iface !== undefined) this.interfaceNames.add(iface);
    this.pending.push({ chain: name, specs, ...(options.policy ? { policy: options.policy } : {}), order: options.order ?? 'sequence' });
    return this;
  }

  point(spec: PointSpec): this {
    for (const name of [...(spec.interfaces?.in ?? []), ...(spec.interfaces?.out ?? [])]) this.interfaceNames.add(name);
    this.points.push({
      id: spec.id,
      label: spec.label ?? spec.id,
      traffic: spec.traffic,
      ...(spec.interfaces ? { interfaces: spec.interfaces } : {}),
      ...(spec.variant !== undefined ? { variant: spec.variant } : {}),
      stages: spec.chains.map((chain, i) => ({ chain, ...(i === 0 ? { primary: true } : {}) })),
    });
    return this;
  }

  build(extraInterfaces: string[] = []): PolicyProgram {
    const interfaces = new InterfaceUniverse([...this.interfaceNames, ...extraInterfaces], this.loopback);
    let ruleCount = 0;
    for (const { chain, specs, policy, order } of this.pending) {
      const rules = specs.map((spec, i) => {
        const line = ++this.line;
        const text = describe(spec);
        ruleCount++;
        const set = this.matchSet(spec, interfaces);
        return {
          id: `${chain}#${i + 1}`,
          chain,
          match: spec.undecided ? { surely: PacketSet.EMPTY, may: set, uncertain: [spec.undecided] } : exactly(set),
          action: actionOf(spec.action),
          source: { file: this.file, line, text },
          identity: text,
        };
      });
      const policyLine = policy ? ++this.line : 0;
      this.chains.set(chain, {
        name: chain,
        title: chain,
        phrase: `chain ${chain}`,
        order,
        rules,
        ...(policy
          ? {
              policy: {
                verdict: policy,
                phrase: `the default of chain ${chain}`,
                source: { file: this.file, line: policyLine, text: `${chain} default ${policy}` },
              },
            }
          : {}),
      });
    }
    return { family: this.family, file: this.file, chains: this.chains, points: this.points, interfaces, ruleCount };
  }

  private matchSet(spec: RuleSpec, interfaces: InterfaceUniverse): PacketSet {
    let set = PacketSet.full(this.family);
    const on = (dim: Dimension, ranges: Ranges): void => {
      set = set.restrict(dim, ranges);
    };
    if (spec.src !== undefined) on('src', network(spec.src));
    if (spec.dst !== undefined) on('dst', network(spec.dst));
    if (spec.proto !== undefined) on('proto', Ranges.point(BigInt(protocolNumber(spec.proto)!)));
    if (spec.dport !== undefined)
      on(
        'dport',
        typeof spec.dport === 'number' ? Ranges.point(BigInt(spec.dport)) : Ranges.of(BigInt(spec.dport[0]), BigInt(spec.dport[1])),
      );
    if (spec.in !== undefined) on('iif', interfaces.named([spec.in]));
    if (spec.out !== undefined) on('oif', interfaces.named([spec.out]));
    return set;
  }
}

function network(text: string): Ranges {
  const parsed = parseNetwork(text);
  if (!parsed) throw new Error(`test program: bad address ${text}`);
  return parsed.ranges;
}

function actionOf(action: RuleSpec['action']): Action {
  if (typeof action === 'string') return { kind: action };
  if ('jump' in action) return { kind: 'jump', chain: action.jump };
  if ('goto' in action) return { kind: 'goto', chain: action.goto };
  return { kind: 'undetermined', reason: action.undetermined };
}

/** The rule as a line of the imaginary file says it. */
function describe(spec: RuleSpec): string {
  const parts = (['src', 'dst', 'proto', 'dport', 'in', 'out'] as const).flatMap((key) =>
    spec[key] === undefined ? [] : [`${key} ${String(spec[key])}`],
  );
  const action = typeof spec.action === 'string' ? spec.action : Object.entries(spec.action)[0].join(' ');
  return [...parts, ...(spec.undecided ? [`if ${spec.undecided}`] : []), action].join(' ');
}
