import { parseIptablesSave } from '../../parsers/iptables-parser/src';
import { normalizeIptables } from '../../src/normalize/iptables/normalize';
import type { PolicyProgram } from '../../src/model/policy';
import { Evaluator, type Outcome } from '../../src/engine/evaluate';
import { PacketSet } from '../../src/packetset';
import { probePacket, traceProbe, type Probe } from '../../src/app/trace';

/** Compiles iptables-save text (a test's own rule set) to a program. */
export function compile(text: string, interfaceNames: string[] = []): PolicyProgram {
  return normalizeIptables(parseIptablesSave(text), { file: 'test.rules', interfaceNames });
}

/** Wraps filter-table rule lines into a complete iptables-save text. */
export function filterTable(
  policies: { INPUT?: string; FORWARD?: string; OUTPUT?: string },
  lines: string[],
  userChains: string[] = [],
): string {
  return [
    '*filter',
    `:INPUT ${policies.INPUT ?? 'ACCEPT'} [0:0]`,
    `:FORWARD ${policies.FORWARD ?? 'ACCEPT'} [0:0]`,
    `:OUTPUT ${policies.OUTPUT ?? 'ACCEPT'} [0:0]`,
    ...userChains.map((c) => `:${c} - [0:0]`),
    ...lines,
    'COMMIT',
    '',
  ].join('\n');
}

/** The trace of one new connection. */
export function trace(program: PolicyProgram, probe: Probe) {
  return traceProbe([program], probe, { file: 'test' });
}

/** The set evaluator's outcome for the single packet a probe describes. */
export function evaluateProbe(program: PolicyProgram, probe: Probe): Outcome {
  const { point, packet } = probePacket([program], probe, { file: 'test' });
  const outcomes = new Evaluator(program).evaluatePoint(point, PacketSet.point(packet));
  if (outcomes.length !== 1) throw new Error(`expected one outcome for a single packet, got ${outcomes.length}`);
  return outcomes[0];
}
