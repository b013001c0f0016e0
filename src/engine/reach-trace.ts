/**
 * One packet followed through a stage the way ruleReachability's set walk follows every packet:
 * a rule it only may match sends it both ways (it takes the action and goes on), metadata a rule
 * may change makes later rules that read it uncertain. Only the rules the chain index says may
 * match the packet are looked at, so a trace costs what the packet meets, not the chains' length.
 * Chains are entered on an explicit stack: nesting depth costs no call stack.
 */
import { Box, type Point } from '../packetset';
import type { DecisionChain, DecisionRule, Metadata, PolicyProgram } from '../model/policy';
import type { ProgramIndex } from './rule-index';

/** What traces and walks have shown: rules some packet reached and matched, and per chain the furthest position some packet reached. */
export interface ReachMarks {
  matched: Set<DecisionRule>;
  furthest: Map<DecisionChain, number>;
}

export function markReached(marks: ReachMarks, chain: DecisionChain, position: number): void {
  if (position > (marks.furthest.get(chain) ?? -1)) marks.furthest.set(chain, position);
}

/** A chain the packet is in: the rules that may match it from here on, and what its caller does when it leaves. */
interface Frame {
  chain: DecisionChain;
  positions: number[];
  next: number;
  /** Whether some branch of the packet has left the chain back towards the caller. */
  returned: boolean;
  /** The rule of the caller that entered this chain, and whether it surely matched. */
  via?: { frame: Frame; position: number; sure: boolean; kind: 'jump' | 'goto' };
}

/** How a rule meets the packet, given the metadata changed on its way. */
function meet(rule: DecisionRule, point: Point, changed: ReadonlySet<Metadata>): 'no' | 'maybe' | 'sure' {
  if (rule.reads && rule.reads.metadata.some((m) => changed.has(m))) {
    return rule.match.may.contains(point) || rule.reads.relaxed.contains(point) ? 'maybe' : 'no';
  }
  if (rule.match.surely.contains(point)) return 'sure';
  return rule.match.may.contains(point) ? 'maybe' : 'no';
}

/**
 * Where a traced packet ended: the packet, the rule that surely decided its last branch, and the
 * jumps and gotos that led it there (each with whether it surely matched), innermost first.
 */
export interface Ending {
  point: Point;
  rule: DecisionRule;
  path: { rule: DecisionRule; sure: boolean }[];
}

/**
 * Follows the packet from the base chain to its ends, marking what it reaches and matches; gives
 * the rule that ended it, if one did (not the base chain's end). `changed`: the metadata it enters
 * with, possibly not 0 (taken over).
 */
export function followPacket(
  program: PolicyProgram,
  index: ProgramIndex,
  base: DecisionChain,
  point: Point,
  marks: ReachMarks,
  changed: Set<Metadata>,
): Ending | undefined {
  const box = Box.point(point);
  const stack: Frame[] = [{ chain: base, positions: index.of(base).meeting(box), next: 0, returned: false }];
  /** The top frame is done: its packet went back to the caller (`returned`) or not; so may its callers be. */
  const leave = (returned: boolean): void => {
    for (let back = returned; ;) {
      const via = stack.pop()!.via;
      if (!via) return;
      const caller = via.frame;
      if (via.kind === 'goto') {
        // The called chain's returns are the caller's returns.
        if (!via.sure) {
          caller.returned ||= back;
          return;
        }
        markReached(marks, caller.chain, via.position);
        back ||= caller.returned;
      } else {
        if (back || !via.sure) return;
        markReached(marks, caller.chain, via.position);
        back = caller.returned;
      }
    }
  };
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.next >= frame.positions.length) {
      markReached(marks, frame.chain, frame.chain.rules.length - 1);
      leave(true);
      continue;
    }
    const position = frame.positions[frame.next++]!;
    const rule = frame.chain.rules[position]!;
    const how = meet(rule, point, changed);
    if (how === 'no') continue;
    marks.matched.add(rule);
    const sure = how === 'sure';
    const action = rule.action;
    switch (action.kind) {
      case 'accept':
      case 'drop':
      case 'reject':
      case 'undetermined':
        if (sure) {
          markReached(marks, frame.chain, position);
          leave(frame.returned);
          // Some branch of it goes on elsewhere unless that was the last frame (popped frames keep their callers).
          if (stack.length === 0) return { point, rule, path: pathTo(frame) };
        }
        break;
      case 'return':
        if (sure) {
          markReached(marks, frame.chain, position);
          leave(true);
        } else frame.returned = true;
        break;
      case 'continue':
        if (action.writes) changed.add(action.writes.metadata);
        break;
      case 'jump':
      case 'goto': {
        const chain = program.chains.get(action.chain);
        if (!chain) throw new Error(`internal: chain ${action.chain} is not in the program`);
        stack.push({
          chain,
          positions: index.of(chain).meeting(box),
          next: 0,
          returned: false,
          via: { frame, position, sure, kind: action.kind },
        });
        break;
      }
    }
  }
  return undefined;
}

/** The calling rules that led to the frame, innermost first. */
function pathTo(frame: Frame): Ending['path'] {
  const path: Ending['path'] = [];
  for (let via = frame.via; via; via = via.frame.via) path.push({ rule: via.frame.chain.rules[via.position]!, sure: via.sure });
  return path;
}
