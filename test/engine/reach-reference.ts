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
  const walked = new Set<string>();
  for (const point of program.points) {
    for (const stage of point.stages) {
      if (walked.has(stage.chain)) continue;
      walked.add(stage.chain);
      const chain = program.chains.get(stage.chain);
      if (chain) walkChain(program, chain, stage.firstPacketOnly ? newOnly : full, reach, new Map());
    }
  }
  return reach;
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
