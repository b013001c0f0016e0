/**
 * Where ruleReachability starts: the base chain of every stage, the packets that enter it, and
 * the metadata they may bring with a value other than 0 (set by an earlier stage of the same
 * point, or a connection mark set on an earlier packet of the connection). The walk and the
 * traces treat that metadata as possibly changed from the start, as the evaluator does: a mark
 * the nat table sets is one the filter table's rules may match.
 */
import { CtState, PacketSet, Ranges } from '../packetset';
import type { DecisionChain, Metadata, PolicyProgram } from '../model/policy';
import { connectionMarkWriters } from './values';

/** A stage's base chain and the packets that enter it. */
export interface Root {
  chain: DecisionChain;
  entry: PacketSet;
  /** Per metadata, the entering packets whose value may not be 0. */
  changed: ReadonlyMap<Metadata, PacketSet>;
}

/** The base chain of every stage, once, with the packets that enter it (only new connections' first packets where the stage sees only those). */
export function stageRoots(program: PolicyProgram): Root[] {
  const full = PacketSet.full(program.family);
  const newOnly = full.restrict('state', Ranges.point(BigInt(CtState.NEW)));
  const starts = new Map<string, { chain: DecisionChain; entry: PacketSet; setBefore: Set<Metadata> }>();
  const writes = new Map<DecisionChain, ReadonlySet<Metadata>>();
  for (const point of program.points) {
    const setBefore = new Set<Metadata>();
    for (const stage of point.stages) {
      const chain = program.chains.get(stage.chain);
      if (!chain) continue;
      let start = starts.get(stage.chain);
      if (!start) starts.set(stage.chain, (start = { chain, entry: stage.firstPacketOnly ? newOnly : full, setBefore: new Set() }));
      for (const metadata of setBefore) start.setBefore.add(metadata);
      for (const metadata of writtenFrom(program, chain, writes)) setBefore.add(metadata);
    }
  }
  const laterPackets = full.restrict(
    'state',
    Ranges.fromIntervals([CtState.ESTABLISHED, CtState.RELATED].map((s) => [BigInt(s), BigInt(s)] as const)),
  );
  const connectionMarked = connectionMarkWriters(program).size > 0;
  return [...starts.values()].map(({ chain, entry, setBefore }) => {
    const changed = new Map<Metadata, PacketSet>();
    for (const metadata of setBefore) changed.set(metadata, entry);
    if (connectionMarked && !changed.has('connmark')) {
      const later = entry.intersect(laterPackets);
      if (!later.isEmpty()) changed.set('connmark', later);
    }
    return { chain, entry, changed };
  });
}

/** The metadata the rules of the chain and of the chains it calls may write (memoized in `writes`). */
function writtenFrom(
  program: PolicyProgram,
  base: DecisionChain,
  writes: Map<DecisionChain, ReadonlySet<Metadata>>,
): ReadonlySet<Metadata> {
  const known = writes.get(base);
  if (known) return known;
  const written = new Set<Metadata>();
  const seen = new Set<DecisionChain>([base]);
  const pending = [base];
  while (pending.length > 0) {
    for (const rule of pending.pop()!.rules) {
      const action = rule.action;
      if (action.kind === 'continue' && action.writes) written.add(action.writes.metadata);
      if (action.kind !== 'jump' && action.kind !== 'goto') continue;
      const called = program.chains.get(action.chain);
      if (called && !seen.has(called)) {
        seen.add(called);
        pending.push(called);
      }
    }
  }
  writes.set(base, written);
  return written;
}
