/**
 * Times the engine on the real configurations. The reference, measured in the same run, is the
 * rule-by-rule tracer following single packets: the set evaluation of *every* new connection
 * through a hook is quoted as the number of single-packet traces it costs.
 * Run: node dist/bench/engine.js. Times are the best of three runs after one warm-up.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../src/normalize/load';
import { Evaluator } from '../src/engine/evaluate';
import { tracePacket } from '../src/engine/trace';
import { newConnections } from '../src/audit/scope';
import { PacketSet, type Point } from '../src/packetset';

const CONFIGS = path.resolve(__dirname, '..', '..', 'fixtures', 'real', 'iptables');
const TRACES = 2000;

function best(run: () => void): number {
  run();
  let fastest = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = process.hrtime.bigint();
    run();
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return fastest;
}

/** Packets spread over the set (one witness per box, repeated), so traces walk real paths. */
function samplePackets(set: PacketSet, count: number): Point[] {
  const points = set.boxes.map((box) => PacketSet.of([box]).witness()!);
  return Array.from({ length: count }, (_, i) => points[i % points.length]);
}

console.log('file                                        hook     set eval (ms)   2000 traces (ms)   set eval = N traces');
for (const name of fs.readdirSync(CONFIGS).sort()) {
  const { programs } = loadConfig([path.join(CONFIGS, name)]);
  for (const program of programs) {
    for (const point of program.points) {
      const everything = newConnections([program.family]);
      const setTime = best(() => new Evaluator(program).evaluatePoint(point, everything));
      const packets = samplePackets(everything, TRACES);
      const traceTime = best(() => packets.forEach((p) => tracePacket(program, point, p)));
      const equivalent = Math.round((setTime / traceTime) * TRACES);
      console.log(
        `${name.padEnd(44)}${point.id.padEnd(9)}${setTime.toFixed(1).padStart(13)}${traceTime.toFixed(1).padStart(19)}${String(equivalent).padStart(22)}`,
      );
    }
  }
}
