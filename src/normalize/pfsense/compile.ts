/**
 * pf's ruleset → a first-match policy program. pf evaluates every rule in order and the last
 * matching one decides, unless a `quick` rule decides at once: so each direction's chain holds
 * the quick rules in ruleset order, then the others in reverse order (the last match comes
 * first), then pf's own pass for a packet nothing matched. Packets entering an interface meet
 * the inbound rules, packets leaving one the outbound rules; forwarded packets meet both, in on
 * the ingress interface and out on the egress one.
 *
 * Port forwards translate before filtering: each rule's match becomes the packets whose
 * translated form it matches (the forward's packets taken out, and put back where the rule
 * matches their target and local port), and a marker rule at the top of the inbound rules
 * names the forward in traces (or passes its packets, for `rdr pass`).
 */
import { exactly } from '../../model/match';
import {
  type InterfaceUniverse,
  type Action,
  type ChainPolicy,
  type DecisionChain,
  type DecisionRule,
  type EnforcementPoint,
  type Match,
  type PolicyProgram,
  type SourceRef,
  type UnloadedRule,
} from '../../model/policy';
import { Box, PacketSet, Ranges, type Dimension, type Family } from '../../packetset';
import type { Forward } from './forwards';
import type { Fuzzy } from './fuzzy';
import type { InterfaceScope, PfRule, RuleOrigin, Section } from './pf-rule';

export interface CompileInput {
  readonly family: Family;
  readonly file: string;
  /** pfSense or OPNsense, for the words of chains and policies. */
  readonly product: string;
  /** Every pf rule of the family, written and implicit. */
  readonly rules: readonly PfRule[];
  readonly forwards: readonly Forward[];
  readonly universe: InterfaceUniverse;
  /** The member interfaces of an interface group (pf matches a group by its members). */
  readonly members: (key: string) => readonly string[] | undefined;
  /** The interface packets to an address leave by. */
  readonly egress: (address: bigint) => string | undefined;
  readonly ruleCount: number;
  /** Rules the firewall does not load, and why. */
  readonly unloaded: readonly { readonly rule: PfRule; readonly reason: string }[];
  /** Set when filtering is off altogether (pfSense `<disablefilter>`). */
  readonly unfiltered?: { readonly reason: string; readonly source: SourceRef };
}

type Way = 'in' | 'out';

const SECTION_RANK: Readonly<Record<Section, number>> = { system: 0, floating: 1, group: 2, interface: 3, late: 4 };

function compareOrder(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** The rules in the order the firewall writes them into its ruleset. */
export function rulesetOrder(rules: readonly PfRule[]): PfRule[] {
  return rules
    .map((rule, index) => ({ rule, index }))
    .sort(
      (a, b) =>
        SECTION_RANK[a.rule.section] - SECTION_RANK[b.rule.section] || compareOrder(a.rule.order, b.rule.order) || a.index - b.index,
    )
    .map(({ rule }) => rule);
}

function interfaceRanges(scope: InterfaceScope, input: CompileInput): Ranges {
  const { universe } = input;
  if (scope.kind === 'all') return universe.any();
  const keys = scope.keys.flatMap((key) => input.members(key) ?? [key]);
  const named = universe.named(keys);
  return scope.kind === 'only' ? named : universe.any().subtract(named);
}

const flagTests = new Map<number, Ranges>();

/** The flags bytes `flags set/mask` lets through. */
function flagValues(test: { set: number; mask: number }): Ranges {
  const key = test.set * 256 + test.mask;
  let values = flagTests.get(key);
  if (values === undefined) {
    const list: [bigint, bigint][] = [];
    for (let v = 0; v < 256; v++) if ((v & test.mask) === test.set) list.push([BigInt(v), BigInt(v)]);
    values = Ranges.fromIntervals(list);
    flagTests.set(key, values);
  }
  return values;
}

function boxOf(
  family: Family,
  parts: { source: Ranges; destination: Ranges },
  rule: Pick<PfRule, 'protocols' | 'sourcePorts' | 'destinationPorts' | 'icmp' | 'tcpFlags'>,
  iface?: { dim: 'iif' | 'oif'; ranges: Ranges },
): PacketSet {
  const restrictions: Partial<Record<Dimension, Ranges>> = { proto: rule.protocols, src: parts.source, dst: parts.destination };
  if (rule.sourcePorts) restrictions.sport = rule.sourcePorts;
  if (rule.destinationPorts) restrictions.dport = rule.destinationPorts;
  if (rule.icmp) restrictions.icmp = rule.icmp;
  if (rule.tcpFlags) restrictions.tcpflags = flagValues(rule.tcpFlags);
  if (iface) restrictions[iface.dim] = iface.ranges;
  return PacketSet.of([Box.of(family, restrictions)]);
}

function reasons(...sets: Fuzzy[]): string[] {
  return sets.filter((set) => !set.surely.equals(set.may)).flatMap((set) => set.uncertain);
}

function ruleMatch(rule: PfRule, way: Way, input: CompileInput): Match {
  const iface = { dim: way === 'in' ? ('iif' as const) : ('oif' as const), ranges: interfaceRanges(rule.interfaces, input) };
  const may = boxOf(input.family, { source: rule.source.may, destination: rule.destination.may }, rule, iface);
  const surely =
    rule.undecided.length > 0
      ? PacketSet.EMPTY
      : boxOf(input.family, { source: rule.source.surely, destination: rule.destination.surely }, rule, iface);
  return { surely, may, uncertain: [...new Set([...rule.undecided, ...reasons(rule.source, rule.destination)])] };
}

function actionOf(rule: PfRule): Action {
  switch (rule.action) {
    case 'pass':
      return { kind: 'accept' };
    case 'block':
      return { kind: 'drop' };
    case 'reject':
      return { kind: 'reject' };
    case 'match':
      return { kind: 'continue' };
  }
}

function sourceOf(origin: RuleOrigin): SourceRef {
  return { file: origin.file, line: origin.line, text: origin.text, path: origin.path };
}

/** A forward's packets: those it translates (surely), and those it may (its match is not decided). */
interface ForwardSets {
  readonly forward: Forward;
  /** The packets it surely applies to (none for a forward without a known target: see `matched`). */
  readonly translated: PacketSet;
  readonly matched: PacketSet;
  readonly maybe: PacketSet;
}

function forwardSets(input: CompileInput): ForwardSets[] {
  let claimed = PacketSet.EMPTY;
  const sets: ForwardSets[] = [];
  for (const forward of input.forwards) {
    const iface = { dim: 'iif' as const, ranges: input.universe.named([forward.iface]) };
    const shape = { ...forward, icmp: undefined, tcpFlags: undefined };
    const surely = boxOf(input.family, { source: forward.source.surely, destination: forward.destination.surely }, shape, iface).subtract(
      claimed,
    );
    const may = boxOf(input.family, { source: forward.source.may, destination: forward.destination.may }, shape, iface).subtract(claimed);
    claimed = claimed.union(may);
    const translates = !forward.nordr && forward.target !== undefined;
    sets.push({ forward, translated: translates ? surely : PacketSet.EMPTY, matched: surely, maybe: may.subtract(surely) });
  }
  return sets;
}

/** The ports that become `ports` under the forward's port shift. */
function portsBefore(ports: Ranges, shift: bigint | undefined): Ranges {
  if (shift === undefined) return ports;
  return Ranges.fromIntervals(ports.intervals.map(([lo, hi]) => [lo - shift, hi - shift] as const)).intersect(Ranges.of(0n, 65535n));
}

/** The packets of `set`, as seen after the forwards: each rule matches a translated packet by its target and local port. */
function translate(set: PacketSet, way: Way, forwards: readonly ForwardSets[], input: CompileInput): PacketSet {
  const active = forwards.filter((f) => !f.translated.isEmpty());
  if (active.length === 0 || set.isEmpty()) return set;
  let result = set;
  for (const { forward, translated } of active) {
    result = result.subtract(translated);
    const target = forward.target!;
    const egress = input.egress(target);
    const egressIndex = egress === undefined ? undefined : input.universe.indexOf(egress);
    const pulled = set.boxes.flatMap((box) => {
      if (!box.get('dst').contains(target)) return [];
      if (way === 'out' && (egressIndex === undefined || !box.get('oif').contains(egressIndex))) return [];
      let back = Box.full(box.family);
      for (const dim of ['dport', 'src', 'proto', 'sport', 'icmp', 'tcpflags', 'iif', 'state'] as const)
        back = back.with(dim, box.get(dim));
      back = back.with('dport', portsBefore(box.get('dport'), forward.portShift));
      if (way === 'in') back = back.with('oif', box.get('oif'));
      return back.isEmpty() ? [] : [back];
    });
    result = result.union(PacketSet.of(pulled).intersect(translated));
  }
  return result;
}

function translatedMatch(match: Match, way: Way, forwards: readonly ForwardSets[], input: CompileInput): Match {
  return {
    surely: translate(match.surely, way, forwards, input),
    may: translate(match.may, way, forwards, input),
    uncertain: match.uncertain,
  };
}

/** The marker rules of the forwards at the top of the inbound rules. */
function forwardRules(forwards: readonly ForwardSets[], chain: string): DecisionRule[] {
  const rules: DecisionRule[] = [];
  for (const { forward, translated, matched, maybe } of forwards) {
    const source = sourceOf(forward.origin);
    const base = { chain, source, identity: forward.origin.identity };
    if (!maybe.isEmpty()) {
      const reason =
        forward.undecided[0] ??
        `whether port forward at line ${forward.origin.line} applies depends on ${[...forward.source.uncertain, ...forward.destination.uncertain].join('; ')}`;
      rules.push({ ...base, id: '', match: exactly(maybe), action: { kind: 'undetermined', reason } });
    }
    if (forward.nordr) continue;
    if (forward.target === undefined) {
      rules.push({ ...base, id: '', match: exactly(matched), action: { kind: 'undetermined', reason: forward.undecided.join('; ') } });
      continue;
    }
    rules.push({ ...base, id: '', match: exactly(translated), action: forward.pass ? { kind: 'accept' } : { kind: 'continue' } });
  }
  return rules;
}

function chainOf(way: Way, rules: readonly PfRule[], forwards: readonly ForwardSets[], input: CompileInput): DecisionChain {
  const name = `pf/${way}`;
  const own = rules.filter((rule) => rule.direction === way || rule.direction === 'both');
  const ordered = [...own.filter((rule) => rule.quick), ...own.filter((rule) => !rule.quick).reverse()];
  const decisions: DecisionRule[] = ordered.map((rule) => ({
    id: '',
    chain: name,
    match: translatedMatch(ruleMatch(rule, way, input), way, forwards, input),
    action: actionOf(rule),
    source: sourceOf(rule.origin),
    identity: rule.origin.identity,
    ...(rule.implicit ? { implicit: true } : {}),
  }));
  const all = way === 'in' ? [...forwardRules(forwards, name), ...decisions] : decisions;
  all.forEach((rule, i) => (rule.id = `${name}#${i + 1}`));
  const policy: ChainPolicy = {
    verdict: 'accept',
    phrase: `pf's own pass for ${way === 'in' ? 'inbound' : 'outbound'} packets no rule matched`,
  };
  return {
    name,
    title: way,
    table: input.product,
    phrase: `${input.product}'s ${way === 'in' ? 'inbound' : 'outbound'} rules (quick rules first, then the last matching one)`,
    order: 'precedence',
    rules: all,
    policy,
  };
}

export function compileProgram(input: CompileInput): PolicyProgram {
  const rules = rulesetOrder(input.rules.filter((rule) => rule.family === input.family));
  const forwards = forwardSets(input);
  const chains = new Map<string, DecisionChain>();
  for (const way of ['in', 'out'] as const) chains.set(`pf/${way}`, chainOf(way, rules, forwards, input));
  const unfiltered = input.unfiltered ? { unfiltered: input.unfiltered } : {};
  const stages = (ways: Way[], primary: Way) =>
    input.unfiltered ? [] : ways.map((way) => ({ chain: `pf/${way}`, ...(way === primary ? { primary: true } : {}) }));
  const points: EnforcementPoint[] = [
    { id: 'inbound', label: 'inbound (to the firewall)', traffic: 'inbound', ...unfiltered, stages: stages(['in', 'out'], 'in') },
    {
      id: 'forwarded',
      label: 'forwarded (in on one interface, out on another)',
      traffic: 'forwarded',
      ...unfiltered,
      stages: stages(['in', 'out'], 'in'),
    },
    { id: 'outbound', label: 'outbound (from the firewall)', traffic: 'outbound', ...unfiltered, stages: stages(['out'], 'out') },
  ];
  const unloaded: UnloadedRule[] = input.unloaded
    .filter(({ rule }) => rule.family === input.family && rule.action === 'pass')
    .map(({ rule, reason }) => ({
      source: sourceOf(rule.origin),
      identity: rule.origin.identity,
      reason,
      wouldAccept: (['in', 'out'] as const)
        .filter((way) => rule.direction === way || rule.direction === 'both')
        .reduce((set, way) => set.union(ruleMatch(rule, way, input).may), PacketSet.EMPTY),
    }));
  return { family: input.family, file: input.file, chains, points, interfaces: input.universe, ruleCount: input.ruleCount, unloaded };
}
