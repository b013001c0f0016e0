/**
 * The contract every normalizer's programs must keep, whatever the vendor: the vendor-neutral
 * program check finds nothing, the set evaluator puts every new connection of a point in exactly
 * one outcome, and the packet tracer (an independent, rule-by-rule interpreter) agrees with it on
 * probes drawn from every outcome, from the program's own rules (their corners and just outside
 * them) and at random.
 * A vendor's test calls assertProgramContract on generated and real configurations.
 */
import assert from 'node:assert/strict';
import { DIMENSIONS, PacketSet, Ranges, type Box, type Dimension, type Point } from '../../src/packetset';
import { checkProgram } from '../../src/model/check';
import { InterfaceUniverse, type EnforcementPoint, type PolicyProgram } from '../../src/model/policy';
import { Evaluator, type Outcome } from '../../src/engine/evaluate';
import { tracePacket } from '../../src/engine/trace';
import { newConnections, pointScope } from '../../src/audit/scope';

export interface ContractOptions {
  seed: number;
  /** Random probes per point, besides those drawn from the rules. */
  randomProbes?: number;
  /** Rules probed per chain at most (large real configurations). */
  rulesPerChain?: number;
}

/** How many probes each point compared. */
export type ContractTally = Record<string, number>;

export function assertProgramContract(program: PolicyProgram, options: ContractOptions): ContractTally {
  assert.deepEqual(checkProgram(program), [], `${program.file}: the vendor-neutral program check`);
  const tally: ContractTally = {};
  const random = prng(options.seed);
  for (const point of program.points) {
    const packets = connectionsAt(point, program);
    const outcomes = new Evaluator(program).evaluatePoint(point, packets);
    assertPartition(program, point, packets, outcomes);
    const probes = [
      ...outcomeProbes(outcomes, random),
      ...ruleProbes(program, point, packets, options.rulesPerChain ?? Infinity),
      ...randomProbes(packets, options.randomProbes ?? 40, random),
    ];
    for (const probe of probes) compareAt(program, point, outcomes, probe);
    tally[`IPv${program.family} ${point.id}`] = probes.length;
  }
  return tally;
}

/** Every new connection a point sees: none leaves by an interface when it is for the firewall, none arrives on one when the firewall sends it. */
function connectionsAt(point: EnforcementPoint, program: PolicyProgram): PacketSet {
  const none = Ranges.point(BigInt(InterfaceUniverse.NONE));
  const real = program.interfaces.any();
  const packets = newConnections([program.family])
    .restrict('iif', point.traffic === 'outbound' ? none : real)
    .restrict('oif', point.traffic === 'inbound' ? none : real);
  return pointScope(point, program.interfaces, packets);
}

function assertPartition(program: PolicyProgram, point: EnforcementPoint, packets: PacketSet, outcomes: Outcome[]): void {
  const where = `${program.file} ${point.id}`;
  let covered = PacketSet.EMPTY;
  for (const outcome of outcomes) {
    assert.ok(outcome.set.subsetOf(packets), `${where}: an outcome holds packets the point does not see`);
    assert.ok(!covered.overlaps(outcome.set), `${where}: two outcomes share packets`);
    covered = covered.union(outcome.set);
  }
  assert.ok(covered.equals(packets), `${where}: some packets end in no outcome`);
}

function compareAt(program: PolicyProgram, point: EnforcementPoint, outcomes: Outcome[], packet: Point): void {
  const containing = outcomes.filter((o) => o.set.contains(packet));
  const where = `${program.file} ${point.id}, packet ${describe(packet)}`;
  assert.equal(containing.length, 1, `${where}: in ${containing.length} outcomes`);
  const [outcome] = containing;
  const traced = tracePacket(program, point, packet);
  assert.equal(outcome.verdict, traced.verdict, `${where}: evaluator and tracer disagree`);
  if (traced.verdict !== 'undetermined') {
    assert.deepEqual(outcome.rule?.source ?? null, traced.decidedBy, `${where}: the deciding rule`);
    if (outcome.rule === null) assert.equal(outcome.policy?.chain, traced.policy?.chain, `${where}: the deciding policy`);
  }
}

/** Outcomes probed per point at most: real configurations have thousands, spread evenly over them. */
const OUTCOMES_PER_POINT = 150;

/** For each outcome (each way a rule or policy decides) its witness and a packet at random inside it. */
function outcomeProbes(outcomes: Outcome[], random: () => number): Point[] {
  const step = Math.max(1, Math.ceil(outcomes.length / OUTCOMES_PER_POINT));
  return outcomes
    .filter((_, i) => i % step === 0)
    .flatMap((o) => [o.set.witness()!, randomPoint(o.set.boxes[Math.floor(random() * o.set.boxes.length)], random)]);
}

/** For each rule some packet may match: a packet it matches, and packets just outside it in the dimensions rules discriminate by. */
function ruleProbes(program: PolicyProgram, point: EnforcementPoint, packets: PacketSet, perChain: number): Point[] {
  const chains = new Set(point.stages.map((s) => s.chain));
  // The chains jumps lead to, too.
  for (const name of chains) {
    for (const rule of program.chains.get(name)?.rules ?? [])
      if (rule.action.kind === 'jump' || rule.action.kind === 'goto') chains.add(rule.action.chain);
  }
  const probes: Point[] = [];
  for (const name of chains) {
    for (const rule of (program.chains.get(name)?.rules ?? []).slice(0, perChain)) {
      const inside = packets.intersect(rule.match.may);
      const box = inside.boxes[0];
      const p = inside.witness();
      if (!p || !box) continue;
      probes.push(p);
      for (const dim of ['dst', 'src', 'dport', 'proto'] as const) {
        const [lo, hi] = [box.get(dim).first()!, box.get(dim).intervals[box.get(dim).intervals.length - 1][1]];
        for (const v of [lo - 1n, hi + 1n]) {
          const q = withValue(p, dim, v);
          if (packets.contains(q)) probes.push(q);
        }
      }
    }
  }
  return probes;
}

function randomProbes(packets: PacketSet, count: number, random: () => number): Point[] {
  const probes: Point[] = [];
  for (let i = 0; i < count && packets.boxes.length > 0; i++) {
    const box = packets.boxes[Math.floor(random() * packets.boxes.length)];
    probes.push(randomPoint(box, random));
  }
  return probes;
}

function randomPoint(box: Box, random: () => number): Point {
  const values = {} as Record<Dimension, bigint>;
  for (const dim of DIMENSIONS) values[dim] = randomValue(box.get(dim), random);
  return {
    family: box.family,
    src: values.src,
    dst: values.dst,
    proto: Number(values.proto),
    sport: Number(values.sport),
    dport: Number(values.dport),
    icmp: Number(values.icmp),
    tcpflags: Number(values.tcpflags),
    iif: Number(values.iif),
    oif: Number(values.oif),
    state: Number(values.state),
  };
}

function randomValue(r: Ranges, random: () => number): bigint {
  const [lo, hi] = r.intervals[Math.floor(random() * r.intervals.length)];
  const span = hi - lo + 1n;
  // Two 32-bit draws are enough to spread over any interval a test needs.
  const draw = (BigInt(Math.floor(random() * 2 ** 32)) << 32n) | BigInt(Math.floor(random() * 2 ** 32));
  return lo + (draw % span);
}

function withValue(p: Point, dim: 'dst' | 'src' | 'dport' | 'proto', v: bigint): Point {
  return dim === 'dst' || dim === 'src' ? { ...p, [dim]: v } : { ...p, [dim]: Number(v) };
}

function describe(p: Point): string {
  return JSON.stringify(p, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** A small deterministic generator (mulberry32), so that a failing seed can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
