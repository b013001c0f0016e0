/**
 * Micro-benchmarks of the parts the audit's time goes to: the set algebra (Ranges, boxes, packet
 * sets), parsing and normalizing iptables-save text, evaluating a point and walking rule
 * reachability. Each is the fastest of repeated runs after a warm-up, so regressions show as
 * numbers; --save FILE keeps them and --compare FILE prints the change against a kept run.
 *
 *   node dist/bench/micro.js [--filter TEXT] [--save FILE] [--compare FILE]
 */
import * as fs from 'node:fs';
import { parseIptablesSave } from '../parsers/iptables-parser/src';
import { normalizeIptables } from '../src/normalize/iptables/normalize';
import { Evaluator } from '../src/engine/evaluate';
import { ruleReachability } from '../src/engine/reach';
import { tracePacket } from '../src/engine/trace';
import { newConnections } from '../src/audit/scope';
import { Box, CtState, PacketSet, Ranges, parseNetwork, type Family, type Point } from '../src/packetset';
import type { PolicyProgram } from '../src/model/policy';
import { generate } from './generate/shapes';
import { Random } from './generate/random';

interface Benchmark {
  name: string;
  /** What one run does, for the per-item figure (operations, rules, packets). */
  items: number;
  unit: string;
  run: () => unknown;
}

/**
 * Fastest run in milliseconds: at least 5 runs and 0.3 s after one warm-up, at most 200 runs; a
 * benchmark whose warm-up takes over a second runs once more only.
 */
function fastest(run: () => unknown): number {
  const warm = performance.now();
  run();
  const runs = performance.now() - warm > 1000 ? 1 : 200;
  let best = Infinity;
  const start = performance.now();
  for (let i = 0; i < runs && (i < 5 || performance.now() - start < 300); i++) {
    const t = performance.now();
    run();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

function rangesOf(random: Random, count: number, bits: 16 | 32 | 128): Ranges[] {
  const max = bits === 16 ? 65535 : 2 ** 32 - 1;
  return Array.from({ length: count }, () => {
    if (bits === 128) {
      const lo = (0x20010db8n << 96n) + (BigInt(random.int(2 ** 30)) << 64n);
      return Ranges.of(lo, lo + (1n << BigInt(random.between(0, 80))) - 1n);
    }
    const lo = random.int(max);
    return Ranges.of(BigInt(lo), BigInt(Math.min(max, lo + random.int(bits === 16 ? 2000 : 2 ** 20))));
  });
}

function algebraBenchmarks(): Benchmark[] {
  const random = new Random(7);
  const pairs = 2000;
  const result: Benchmark[] = [];
  for (const bits of [16, 32, 128] as const) {
    const a = rangesOf(random, pairs, bits);
    const b = rangesOf(random, pairs, bits);
    const label = bits === 16 ? 'ports' : bits === 32 ? 'IPv4' : 'IPv6';
    result.push(
      { name: `Ranges union (${label})`, items: pairs, unit: 'op', run: () => a.map((r, i) => r.union(b[i]!)) },
      { name: `Ranges intersect (${label})`, items: pairs, unit: 'op', run: () => a.map((r, i) => r.intersect(b[i]!)) },
      { name: `Ranges subtract (${label})`, items: pairs, unit: 'op', run: () => a.map((r, i) => r.subtract(b[i]!)) },
    );
  }
  const many = Ranges.unionAll(rangesOf(random, 5000, 32));
  const small = rangesOf(random, pairs, 32);
  result.push({ name: 'Ranges subtract (5k intervals - 1)', items: pairs, unit: 'op', run: () => small.map((r) => many.subtract(r)) });
  result.push({ name: 'Ranges overlaps (5k intervals, 1)', items: pairs, unit: 'op', run: () => small.map((r) => many.overlaps(r)) });
  const boxes = Array.from({ length: 300 }, () => randomRule(random));
  result.push({
    name: 'Box subtract',
    items: boxes.length * boxes.length,
    unit: 'op',
    run: () => boxes.forEach((a) => boxes.forEach((b) => a.subtract(b))),
  });
  result.push({
    name: 'Box intersect',
    items: boxes.length * boxes.length,
    unit: 'op',
    run: () => boxes.forEach((a) => boxes.forEach((b) => a.intersect(b))),
  });
  result.push({ name: 'PacketSet decision walk (300 rules)', items: boxes.length, unit: 'rule', run: () => walk(boxes) });
  const texts = Array.from({ length: 2000 }, () => `10.${random.int(256)}.${random.int(256)}.0/${random.between(8, 32)}`);
  result.push({ name: 'parseNetwork (IPv4)', items: texts.length, unit: 'op', run: () => texts.map((t) => parseNetwork(t)) });
  return result;
}

/** A firewall-like rule: a protocol, a port, a destination, sometimes a source, state or interface. */
function randomRule(random: Random): Box {
  const family: Family = random.chance(0.85) ? 4 : 6;
  const restrictions: Partial<Record<'proto' | 'dport' | 'dst' | 'src' | 'state' | 'iif', Ranges>> = {};
  restrictions.proto = Ranges.point(random.chance(0.6) ? 6n : 17n);
  if (random.chance(0.7)) restrictions.dport = Ranges.point(BigInt(random.pick([22, 53, 80, 443, 3389, 5061, 8080])));
  const cidr = (text: string) => parseNetwork(text)!.ranges;
  if (random.chance(0.7))
    restrictions.dst =
      family === 4
        ? cidr(`10.${random.int(4)}.${random.int(16)}.${random.int(256)}/${random.pick([24, 28, 32])}`)
        : cidr(`2001:db8:${random.int(16).toString(16)}::/48`);
  if (random.chance(0.4))
    restrictions.src = family === 4 ? cidr(`172.${random.int(32)}.0.0/16`) : cidr(`2001:db8:${random.int(16).toString(16)}::/64`);
  if (random.chance(0.3)) restrictions.state = Ranges.point(BigInt(CtState.NEW));
  if (random.chance(0.3)) restrictions.iif = Ranges.point(BigInt(random.int(4) + 1));
  return Box.of(family, restrictions);
}

function walk(rules: Box[]): PacketSet {
  let remaining = PacketSet.full();
  let accepted = PacketSet.EMPTY;
  rules.forEach((rule, i) => {
    const match = PacketSet.of([rule]);
    if (i % 2 === 0) accepted = accepted.union(remaining.intersect(match));
    remaining = remaining.subtract(match);
  });
  return accepted;
}

function program(text: string): PolicyProgram {
  return normalizeIptables(parseIptablesSave(text), { file: 'bench.rules' });
}

function pipelineBenchmarks(): Benchmark[] {
  const result: Benchmark[] = [];
  const { text: large } = generate('mixed', 10_000, 1);
  const tree = parseIptablesSave(large);
  const ruleCount = program(large).ruleCount;
  result.push(
    { name: 'parse mixed-10k', items: ruleCount, unit: 'rule', run: () => parseIptablesSave(large) },
    { name: 'normalize mixed-10k', items: ruleCount, unit: 'rule', run: () => normalizeIptables(tree, { file: 'bench.rules' }) },
  );
  for (const [shape, rules] of [
    ['mixed', 2_000],
    ['tum', 1_000],
  ] as const) {
    const compiled = program(generate(shape, rules, 1).text);
    const count = compiled.ruleCount;
    const everything = newConnections([compiled.family]);
    result.push({
      name: `evaluate every point ${shape}-${rules / 1000}k`,
      items: count,
      unit: 'rule',
      run: () => compiled.points.forEach((point) => new Evaluator(compiled).evaluatePoint(point, everything)),
    });
    result.push({ name: `rule reachability ${shape}-${rules / 1000}k`, items: count, unit: 'rule', run: () => ruleReachability(compiled) });
    const packets = samplePackets(everything, 500);
    const forward = compiled.points.find((p) => p.traffic === 'forwarded')!;
    result.push({
      name: `trace 500 packets ${shape}-${rules / 1000}k`,
      items: packets.length,
      unit: 'packet',
      run: () => packets.forEach((p) => tracePacket(compiled, forward, p)),
    });
  }
  return result;
}

function samplePackets(set: PacketSet, count: number): Point[] {
  const points = set.boxes.map((box) => PacketSet.of([box]).witness()!);
  return Array.from({ length: count }, (_, i) => points[i % points.length]!);
}

interface Result {
  name: string;
  ms: number;
  perItemMicroseconds: number;
  unit: string;
}

function main(): void {
  const args = process.argv.slice(2);
  const option = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const filter = option('--filter');
  const previous = option('--compare');
  const before = previous ? new Map((JSON.parse(fs.readFileSync(previous, 'utf8')) as Result[]).map((r) => [r.name, r])) : undefined;
  const results: Result[] = [];
  console.log(`${'benchmark'.padEnd(44)} ${'ms'.padStart(10)} ${'µs per item'.padStart(16)}${before ? '   change' : ''}`);
  for (const benchmark of [...algebraBenchmarks(), ...pipelineBenchmarks()]) {
    if (filter && !benchmark.name.includes(filter)) continue;
    const ms = fastest(benchmark.run);
    const result = { name: benchmark.name, ms, perItemMicroseconds: (ms * 1000) / benchmark.items, unit: benchmark.unit };
    results.push(result);
    const old = before?.get(benchmark.name);
    const change = old ? `   ${ms <= old.ms ? '' : '+'}${(((ms - old.ms) / old.ms) * 100).toFixed(0)}% (${(old.ms / ms).toFixed(2)}x)` : '';
    console.log(
      `${benchmark.name.padEnd(44)} ${ms.toFixed(2).padStart(10)} ${`${result.perItemMicroseconds.toFixed(3)}/${benchmark.unit}`.padStart(16)}${change}`,
    );
  }
  const save = option('--save');
  if (save) fs.writeFileSync(save, JSON.stringify(results, null, 2) + '\n');
}

main();
