/**
 * Which rules some packet may reach and match: filterLineReachability. Unlike the evaluator it
 * needs no verdicts, so a packet a rule only may match is sent both ways at once (it goes on
 * after the rule and takes the rule's action), which over-approximates what reaches each rule:
 * a rule found unreachable is unreachable.
 */
import { CtState, PacketSet, Ranges } from '../packetset';
import type { DecisionChain, DecisionRule, Metadata, PolicyProgram } from '../model/policy';

export interface RuleReach {
  /** Rules some packet may reach. */
  reached: Set<DecisionRule>;
  /** Rules some packet may reach and match. */
  matched: Set<DecisionRule>;
}

export function ruleReachability(program: PolicyProgram): RuleReach {
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

/** Walks a chain with the packets that may enter it; returns those that may leave it back to the caller. */
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
    // Packets surely matched take the action only; the others may also go on.
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
        // Packets only maybe matched stayed in `remaining`; of the returning ones only the surely matched are new to it.
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
