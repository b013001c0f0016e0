/**
 * The reachability walk as it was before witnesses and indexes: every packet of every stage
 * followed through the chains as one set, rule after rule. Slow (quadratic in the fragments), and
 * plainly right: ruleReachability must give exactly its answer.
 */
import { CtState, PacketSet, Ranges } from '../../src/packetset';
import type { DecisionChain, DecisionRule, Metadata, PolicyProgram } from '../../src/model/policy';
import type { RuleReach } from '../../src/engine/reach';

export function referenceReachability(program: PolicyProgram): RuleReach {
  const reach: RuleReach = { reached: new Set(), matched: new Set() };
  const full = PacketSet.full(program.family);
  const newOnly = full.restrict('state', Ranges.point(BigInt(CtState.NEW)));
  const later = full.restrict('state', Ranges.fromIntervals([[BigInt(CtState.ESTABLISHED), BigInt(CtState.RELATED)]]));
  const setBefore = metadataSetBefore(program);
  const connectionMarked = [...program.chains.values()].some((chain) => chain.rules.some((rule) => writesOf(rule) === 'connmark'));
  const walked = new Set<string>();
  for (const point of program.points) {
    for (const stage of point.stages) {
      if (walked.has(stage.chain)) continue;
      walked.add(stage.chain);
      const chain = program.chains.get(stage.chain);
      if (!chain) continue;
      const entry = stage.firstPacketOnly ? newOnly : full;
      // What an earlier stage may have set, and a connection mark an earlier packet of the connection may carry.
      const tainted = new Map<Metadata, PacketSet>([...(setBefore.get(stage.chain) ?? [])].map((m) => [m, entry]));
      if (connectionMarked && !tainted.has('connmark')) tainted.set('connmark', entry.intersect(later));
      walkChain(program, chain, entry, reach, tainted);
    }
  }
  return reach;
}

/** Per stage chain, the metadata some earlier stage of a point it is in may write. */
function metadataSetBefore(program: PolicyProgram): Map<string, Set<Metadata>> {
  const setBefore = new Map<string, Set<Metadata>>();
  for (const point of program.points) {
    const before = new Set<Metadata>();
    for (const stage of point.stages) {
      setBefore.set(stage.chain, new Set([...(setBefore.get(stage.chain) ?? []), ...before]));
      for (const m of writtenFrom(program, stage.chain)) before.add(m);
    }
  }
  return setBefore;
}

function writtenFrom(program: PolicyProgram, name: string): Set<Metadata> {
  const written = new Set<Metadata>();
  const seen = new Set<string>([name]);
  const pending = [name];
  while (pending.length > 0) {
    for (const rule of program.chains.get(pending.pop()!)?.rules ?? []) {
      const writes = writesOf(rule);
      if (writes) written.add(writes);
      const action = rule.action;
      if ((action.kind === 'jump' || action.kind === 'goto') && !seen.has(action.chain)) {
        seen.add(action.chain);
        pending.push(action.chain);
      }
    }
  }
  return written;
}

function writesOf(rule: DecisionRule): Metadata | undefined {
  return rule.action.kind === 'continue' ? rule.action.writes?.metadata : undefined;
}

function walkChain(
  program: PolicyProgram,
  chain: DecisionChain,
  packets: PacketSet,
  reach: RuleReach,
  tainted: Map<Metadata, PacketSet>,
): PacketSet {
  let remaining = packets;
  let returned = PacketSet.EMPTY;
  for (const rule of chain.rules) {
    if (remaining.isEmpty()) break;
    reach.reached.add(rule);
    const { surely, may } = effectiveMatch(rule, tainted);
    const matched = remaining.intersect(may);
    if (matched.isEmpty()) continue;
    reach.matched.add(rule);
    const sure = remaining.intersect(surely);
    const action = rule.action;
    switch (action.kind) {
      case 'accept':
      case 'drop':
      case 'reject':
      case 'undetermined':
        remaining = remaining.subtract(sure);
        break;
      case 'return':
        returned = returned.union(matched);
        remaining = remaining.subtract(sure);
        break;
      case 'continue':
        if (action.writes) tainted.set(action.writes.metadata, (tainted.get(action.writes.metadata) ?? PacketSet.EMPTY).union(matched));
        break;
      case 'jump': {
        const back = walkChain(program, program.chains.get(action.chain)!, matched, reach, tainted);
        remaining = PacketSet.unionOfDisjoint([remaining.subtract(sure), back.intersect(sure)]);
        break;
      }
      case 'goto':
        returned = returned.union(walkChain(program, program.chains.get(action.chain)!, matched, reach, tainted));
        remaining = remaining.subtract(sure);
        break;
    }
  }
  return returned.union(remaining);
}

function effectiveMatch(rule: DecisionRule, tainted: Map<Metadata, PacketSet>): { surely: PacketSet; may: PacketSet } {
  const { surely, may } = rule.match;
  if (!rule.reads) return { surely, may };
  const changed = rule.reads.metadata.reduce((acc, m) => acc.union(tainted.get(m) ?? PacketSet.EMPTY), PacketSet.EMPTY);
  if (changed.isEmpty()) return { surely, may };
  return { surely: surely.subtract(changed), may: may.union(rule.reads.relaxed.intersect(changed)) };
}
