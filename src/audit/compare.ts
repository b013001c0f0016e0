/**
 * What a change to a configuration does to traffic (Batfish's compareFilters): every new
 * connection is evaluated with the program before and the program after the change, and the
 * packets whose fate changes class (allowed, denied, undetermined) are reported with the rule or
 * policy that decided them on each side.
 */
import { PacketSet, Ranges, universe, type Family } from '../packetset';
import { InterfaceUniverse, type EnforcementPoint, type PolicyProgram, type SourceRef } from '../model/policy';
import { Evaluator, type Outcome, type PolicyRef, type Verdict } from '../engine/evaluate';
import { newConnections, placePackets, pointScope, type Placement } from './scope';
import { witnessOf } from './audit';
import type { Witness } from './types';

export type VerdictClass = 'allowed' | 'denied' | 'undetermined';
export type ChangeKind = 'newly-allowed' | 'newly-denied' | 'newly-undetermined' | 'no-longer-undetermined';
/** The order changes are listed in. */
export const CHANGE_KINDS: readonly ChangeKind[] = ['newly-allowed', 'newly-denied', 'newly-undetermined', 'no-longer-undetermined'];

/** How one side of a change decided. */
export interface Decision {
  verdict: Verdict;
  /** The deciding rule, or null when a chain's default policy decided (then `policy` says which). */
  rule: SourceRef | null;
  policy?: PolicyRef;
  /** Why the packets are undetermined, each naming the rule's line (undetermined decisions only). */
  reasons?: string[];
}

export interface FlowChange {
  kind: ChangeKind;
  /** The enforcement point's id (INPUT, FORWARD, OUTPUT, lan-in, …). */
  point: string;
  family: Family;
  before: Decision;
  after: Decision;
  /** The new connections whose fate changed this way. */
  set: PacketSet;
  /** One of them, preferably not over loopback. */
  witness: Witness | null;
  /** How many values the set takes in each dimension a reader judges a change by. */
  extent: { sources: bigint; destinations: bigint; protocols: bigint; destinationPorts: bigint };
}

function verdictClass(verdict: Verdict): VerdictClass {
  return verdict === 'accept' ? 'allowed' : verdict === 'undetermined' ? 'undetermined' : 'denied';
}

/** A packet that becomes undetermined counts as that; one that stops being undetermined as that, whichever way it is decided now. */
function changeKind(before: VerdictClass, after: VerdictClass): ChangeKind {
  if (after === 'undetermined') return 'newly-undetermined';
  if (before === 'undetermined') return 'no-longer-undetermined';
  return after === 'allowed' ? 'newly-allowed' : 'newly-denied';
}

/** Every name of a program's interface universe (wildcard stand-ins as `eth+`): compile another configuration with them to share its indices. */
export function interfaceNames(program: PolicyProgram): string[] {
  return Array.from({ length: program.interfaces.size - 1 }, (_, i) => program.interfaces.nameOf(i + 1));
}

/** Whether two programs give every interface the same index, so that their packet sets can be intersected. */
export function sameInterfaces(a: PolicyProgram, b: PolicyProgram): boolean {
  if (a.interfaces.size !== b.interfaces.size) return false;
  for (let i = 0; i < a.interfaces.size; i++) if (a.interfaces.nameOf(i) !== b.interfaces.nameOf(i)) return false;
  return true;
}

/**
 * The new connections an enforcement point sees: a packet delivered to the firewall leaves by no
 * interface, one it sends arrives on none; a forwarded one crosses two; and only on the
 * interfaces the point is scoped to.
 */
function connectionsAt(point: EnforcementPoint, program: PolicyProgram): PacketSet {
  const none = Ranges.point(BigInt(InterfaceUniverse.NONE));
  const real = program.interfaces.any();
  const packets = newConnections([program.family])
    .restrict('iif', point.traffic === 'outbound' ? none : real)
    .restrict('oif', point.traffic === 'inbound' ? none : real);
  return pointScope(point, program.interfaces, packets);
}

/** The new connections a point sees where the firewall stands: to and from its host, or between the networks behind its interfaces. */
function placedAt(point: EnforcementPoint, program: PolicyProgram, placement: Placement): PacketSet {
  const query = placePackets(newConnections([program.family]), placement, program.interfaces).find((q) => q.traffic === point.traffic);
  return query ? pointScope(point, program.interfaces, query.set) : PacketSet.EMPTY;
}

/** Same rule (or policy) and verdict on both sides at one point: one change. */
interface Pending {
  kind: ChangeKind;
  point: EnforcementPoint;
  before: Outcome;
  after: Outcome;
  set: PacketSet;
  beforeReasons: Set<string>;
  afterReasons: Set<string>;
}

/**
 * The flow changes from `before` to `after` (where the firewall stands, when its placement is
 * given: a host's own traffic, or what it forwards between its interfaces' networks), two
 * programs of the same family whose interface
 * universes agree (compile both with the union of their `interfaceNames`). Changes with the same
 * deciders on both sides at the same point are merged into one.
 */
export function compareFilters(before: PolicyProgram, after: PolicyProgram, placement?: Placement): FlowChange[] {
  if (before.family !== after.family)
    throw new Error(`internal: compareFilters got an IPv${before.family} and an IPv${after.family} program`);
  if (!sameInterfaces(before, after)) {
    // Interface indices are the programs' own: intersecting sets of different universes would mix up interfaces.
    throw new Error(
      `internal: compareFilters needs programs whose interfaces have the same indices; compile ${before.file} and ${after.file} with the same interface names`,
    );
  }
  const evaluateBefore = new Evaluator(before);
  const evaluateAfter = new Evaluator(after);
  const pending = new Map<string, Pending>();
  for (const point of before.points) {
    const afterPoint = after.points.find((p) => p.id === point.id);
    if (!afterPoint) throw new Error(`internal: ${after.file} has no enforcement point ${point.id}`);
    const packets = placement ? placedAt(point, before, placement) : connectionsAt(point, before);
    if (packets.isEmpty()) continue;
    const was = evaluateBefore.evaluatePoint(point, packets);
    const now = evaluateAfter.evaluatePoint(afterPoint, packets);
    const nowByClass = new Map<VerdictClass, PacketSet>();
    for (const o of now) nowByClass.set(verdictClass(o.verdict), (nowByClass.get(verdictClass(o.verdict)) ?? PacketSet.EMPTY).union(o.set));
    for (const b of was) {
      const from = verdictClass(b.verdict);
      // Most packets keep their class: only what leaves it needs pairing with the outcomes after.
      const changed = b.set.subtract(nowByClass.get(from) ?? PacketSet.EMPTY);
      if (changed.isEmpty()) continue;
      for (const a of now) {
        const to = verdictClass(a.verdict);
        if (to === from) continue;
        const set = changed.intersect(a.set);
        if (set.isEmpty()) continue;
        const key = [point.id, b.verdict, deciderKey(b), a.verdict, deciderKey(a)].join('\u0000');
        let entry = pending.get(key);
        if (!entry) {
          entry = {
            kind: changeKind(from, to),
            point,
            before: b,
            after: a,
            set: PacketSet.EMPTY,
            beforeReasons: new Set(),
            afterReasons: new Set(),
          };
          pending.set(key, entry);
        }
        entry.set = entry.set.union(set);
        for (const reason of reasonTexts(b)) entry.beforeReasons.add(reason);
        for (const reason of reasonTexts(a)) entry.afterReasons.add(reason);
      }
    }
  }
  const pointOrder = before.points.map((p) => p.id);
  return [...pending.values()]
    .map((p): FlowChange => ({
      kind: p.kind,
      point: p.point.id,
      family: before.family,
      before: decision(p.before, p.beforeReasons),
      after: decision(p.after, p.afterReasons),
      set: p.set,
      witness: changeWitness(p.set, p.point.id, after),
      extent: {
        sources: p.set.project('src', before.family).size(),
        destinations: p.set.project('dst', before.family).size(),
        protocols: p.set.project('proto', before.family).size(),
        destinationPorts: p.set.project('dport', before.family).size(),
      },
    }))
    .sort(
      (x, y) =>
        pointOrder.indexOf(x.point) - pointOrder.indexOf(y.point) ||
        CHANGE_KINDS.indexOf(x.kind) - CHANGE_KINDS.indexOf(y.kind) ||
        deciderLine(x.after) - deciderLine(y.after) ||
        deciderLine(x.before) - deciderLine(y.before),
    );
}

function deciderKey(outcome: Outcome): string {
  return outcome.rule ? outcome.rule.id : `policy:${outcome.policy?.chain ?? ''}`;
}

function deciderLine(d: Decision): number {
  return d.rule?.line ?? d.policy?.source?.line ?? 0;
}

function reasonTexts(outcome: Outcome): string[] {
  return outcome.reasons.map((r) => `${r.why} (line ${r.rule.source.line})`);
}

function decision(outcome: Outcome, reasons: Set<string>): Decision {
  return {
    verdict: outcome.verdict,
    rule: outcome.rule?.source ?? null,
    ...(outcome.rule === null && outcome.policy ? { policy: outcome.policy } : {}),
    ...(outcome.verdict === 'undetermined' ? { reasons: [...reasons] } : {}),
  };
}

/**
 * A packet of the set, chosen to look like real traffic when the set allows: not over loopback,
 * and not forwarded out of the interface it came in on.
 */
function changeWitness(set: PacketSet, point: string, program: PolicyProgram): Witness | null {
  const notLoopback = universe(program.family, 'iif').subtract(program.interfaces.loopback());
  const elsewhere = set.restrict('iif', notLoopback).restrict('oif', notLoopback);
  const shown = elsewhere.isEmpty() ? set : elsewhere;
  const witness = witnessOf({ set: shown, point, program });
  if (witness?.in === undefined || witness.in !== witness.out) return witness;
  const onward = shown.restrict('oif', allInterfacesBut(program, program.interfaces.indexOf(witness.in)));
  return onward.isEmpty() ? witness : witnessOf({ set: onward, point, program });
}

/** Every value of the interface dimension ("no interface" included) but one index. */
function allInterfacesBut(program: PolicyProgram, index: number | undefined): Ranges {
  const all = universe(program.family, 'iif');
  return index === undefined ? all : all.subtract(Ranges.point(BigInt(index)));
}
