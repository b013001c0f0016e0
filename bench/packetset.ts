/**
 * Times the packet-set algebra on random firewall-like rules against a naive reference in
 * the same run: plain arrays of boxes, Box.subtract/intersect only, no merging.
 * Run: node dist/bench/packetset.js [rules] [seed]. Times are the best of five runs after one warm-up.
 */
import { Box, CtState, PacketSet, Ranges, parseNetwork, type Family } from '../src/packetset';

const RULES = Number(process.argv[2] ?? 300);
const SEED = Number(process.argv[3] ?? 1);

/** mulberry32: a small seeded generator, so every run times the same rules. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomRule(random: () => number): Box {
  const int = (n: number) => Math.floor(random() * n);
  const cidr = (text: string) => parseNetwork(text)!.ranges;
  const family: Family = random() < 0.85 ? 4 : 6;
  const restrictions: Partial<Record<'proto' | 'dport' | 'dst' | 'src' | 'state' | 'iif', Ranges>> = {};
  const proto = random();
  if (proto < 0.8) {
    restrictions.proto = Ranges.point(proto < 0.5 ? 6n : 17n);
    const port = random();
    const common = [22, 53, 80, 443, 3389, 5060, 5061, 8080, 8443][int(9)]!;
    if (port < 0.6) restrictions.dport = Ranges.point(BigInt(common));
    else if (port < 0.8) restrictions.dport = Ranges.of(BigInt(1024 + int(30000)), BigInt(31024 + int(30000)));
  }
  // Every rule names a destination or a protocol: a catch-all rule would end the benchmark early.
  if (restrictions.proto === undefined || random() < 0.7)
    restrictions.dst =
      family === 4 ? cidr(`10.${int(4)}.${int(16)}.${int(256)}/${[24, 32, 28][int(3)]}`) : cidr(`2001:db8:${int(16).toString(16)}::/48`);
  if (random() < 0.5)
    restrictions.src =
      family === 4 ? cidr(`${[10, 172, 192][int(3)]}.${int(256)}.0.0/${[8, 16][int(2)]}`) : cidr(`2001:db8:${int(16).toString(16)}::/64`);
  if (random() < 0.3) restrictions.state = Ranges.point(BigInt(CtState.NEW));
  if (random() < 0.3) restrictions.iif = Ranges.point(BigInt(int(4)));
  return Box.of(family, restrictions);
}

/** The fastest of a few runs, so that JIT warm-up and a busy machine distort less. */
function time<T>(run: () => T, runs = 5): { ms: number; result: T } {
  let best = Infinity;
  let result = run();
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    result = run();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { ms: best, result };
}

/** The decision-list walk, with every other rule an ACCEPT: what the ACCEPT rules let through. */
function walkPacketSets(rules: Box[]): PacketSet {
  let remaining = PacketSet.full();
  let accepted = PacketSet.EMPTY;
  rules.forEach((rule, i) => {
    const match = PacketSet.of([rule]);
    if (i % 2 === 0) accepted = accepted.union(remaining.intersect(match));
    remaining = remaining.subtract(match);
  });
  return accepted;
}

function walkNaive(rules: Box[]): Box[] {
  let remaining = [Box.full(4), Box.full(6)];
  const accepted: Box[] = [];
  rules.forEach((rule, i) => {
    if (i % 2 === 0) {
      for (const box of remaining) {
        const hit = box.intersect(rule);
        if (hit !== null) accepted.push(hit);
      }
    }
    remaining = remaining.flatMap((box) => box.subtract(rule));
  });
  return accepted;
}

const random = generator(SEED);
const rules = Array.from({ length: RULES }, () => randomRule(random));

const naiveSubtract = time(() => rules.reduce((boxes, rule) => boxes.flatMap((box) => box.subtract(rule)), [Box.full(4), Box.full(6)]));
const setSubtract = time(() => rules.reduce((set, rule) => set.subtract(PacketSet.of([rule])), PacketSet.full()));
const naiveWalk = time(() => walkNaive(rules));
const setWalk = time(() => walkPacketSets(rules));

// The two must agree, or the timing means nothing.
if (!setSubtract.result.equals(PacketSet.of(naiveSubtract.result))) throw new Error('subtraction disagrees with the reference');
if (!setWalk.result.equals(PacketSet.of(naiveWalk.result))) throw new Error('walk disagrees with the reference');

const row = (label: string, ms: number, boxes: number, referenceMs: number, referenceBoxes: number) =>
  console.log(
    `${label.padEnd(34)} ${ms.toFixed(1).padStart(8)} ms ${String(boxes).padStart(6)} boxes   ${(ms / referenceMs).toFixed(2)}x time, ${(boxes / referenceBoxes).toFixed(2)}x boxes of naive`,
  );
console.log(`${RULES} random rules, seed ${SEED}`);
row('naive: full minus rules', naiveSubtract.ms, naiveSubtract.result.length, naiveSubtract.ms, naiveSubtract.result.length);
row('PacketSet: full minus rules', setSubtract.ms, setSubtract.result.boxes.length, naiveSubtract.ms, naiveSubtract.result.length);
row('naive: decision walk (accepted)', naiveWalk.ms, naiveWalk.result.length, naiveWalk.ms, naiveWalk.result.length);
row('PacketSet: decision walk (accepted)', setWalk.ms, setWalk.result.boxes.length, naiveWalk.ms, naiveWalk.result.length);
