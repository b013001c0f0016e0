/**
 * The exact set walk of ruleReachability, for some packets of a stage: every packet of the set
 * followed through the chains at once, rule after rule, as a Remainder. Only the rules that may
 * match some packet entering a chain are looked at, so a small set costs what it overlaps; a rule
 * that only stops or only looks at packets asks for a witness that some are left, not for them.
 */
import { PacketSet, Remainder } from '../packetset';
import type { DecisionChain, DecisionRule, Metadata, PolicyProgram } from '../model/policy';
import type { ProgramIndex } from './rule-index';
import { isInert } from './evaluate';
import { markReached, type ReachMarks } from './reach-trace';
import type { Root } from './reach-roots';

/**
 * Packets whose metadata some rule may have changed, per metadata: gathered as the walk goes and
 * joined only when a rule that reads the metadata asks.
 */
class Taints {
  private readonly parts = new Map<Metadata, PacketSet[]>();
  private readonly joined = new Map<Metadata, PacketSet>();

  add(metadata: Metadata, packets: PacketSet): void {
    if (packets.isEmpty()) return;
    const parts = this.parts.get(metadata) ?? [];
    parts.push(packets);
    this.parts.set(metadata, parts);
    this.joined.delete(metadata);
  }

  of(metadata: readonly Metadata[]): PacketSet {
    const sets = metadata.map((m) => {
      let joined = this.joined.get(m);
      if (!joined) {
        joined = PacketSet.of((this.parts.get(m) ?? []).flatMap((set) => set.boxes));
        this.joined.set(m, joined);
      }
      return joined;
    });
    return sets.length === 1 ? sets[0]! : PacketSet.of(sets.flatMap((set) => set.boxes));
  }
}

/** A chain being walked: the rules that may meet what entered it, what is left, what it returns, and what its caller does with that. */
interface Frame {
  chain: DecisionChain;
  positions: number[];
  next: number;
  remaining: Remainder;
  /** Packets that left the chain (RETURN, or through a goto): they go back to the caller with what falls off the end. */
  returned: PacketSet[];
  /**
   * While every packet taken from `remaining` was decided in the chain (no RETURN or goto took
   * any), the sets taken: a packet that entered and is in one of them went no further, and every
   * other one comes back to the caller.
   */
  decided: PacketSet[] | undefined;
  /** Given the chain once walked; absent for the stage's base chain, whose end is its policy. */
  back?: (frame: Frame) => void;
}

/** What came back from a walked chain: what RETURNed or went through a goto, and what fell off its end. */
function cameBack(frame: Frame): PacketSet {
  return PacketSet.of([...frame.returned, frame.remaining.toPacketSet()].flatMap((set) => set.boxes));
}

/** Takes packets from the frame's remainder, recording whether the chain decided them. */
function take(frame: Frame, packets: PacketSet, decided: boolean): void {
  if (!decided) frame.decided = undefined;
  else frame.decided?.push(packets);
  frame.remaining.subtract(packets);
}

/** Walks the packets (entering the root's stage) through it, marking what they reach and match. */
export function walkRegion(program: PolicyProgram, index: ProgramIndex, root: Root, packets: PacketSet, marks: ReachMarks): void {
  if (packets.isEmpty()) return;
  const taints = new Taints();
  for (const [metadata, changed] of root.changed) taints.add(metadata, changed.intersect(packets));
  const enter = (chain: DecisionChain, entering: PacketSet, back?: (frame: Frame) => void): Frame => ({
    chain,
    positions: index.of(chain).meetingSet(entering),
    next: 0,
    remaining: new Remainder(entering),
    returned: [],
    decided: [],
    ...(back ? { back } : {}),
  });
  const stack: Frame[] = [enter(root.chain, packets)];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const called = step(program, frame, marks, taints, enter);
    if (called) {
      stack.push(called);
      continue;
    }
    stack.pop();
    frame.back?.(frame);
  }
}

/** Walks the frame's chain until it ends (undefined) or a rule calls another chain (its frame). */
function step(
  program: PolicyProgram,
  frame: Frame,
  marks: ReachMarks,
  taints: Taints,
  enter: (chain: DecisionChain, entering: PacketSet, back: (frame: Frame) => void) => Frame,
): Frame | undefined {
  const { chain, remaining } = frame;
  while (frame.next < frame.positions.length) {
    const position = frame.positions[frame.next++]!;
    if (remaining.isEmpty()) {
      frame.next = frame.positions.length;
      return undefined;
    }
    markReached(marks, chain, position);
    const rule = chain.rules[position]!;
    const { surely, may } = effectiveMatch(rule, taints);
    const action = rule.action;
    if (decides(action.kind) || isInert(rule)) {
      // Which packets it decides (or only looks at) matters no further than that some are left.
      if (!remaining.meets(may)) continue;
      marks.matched.add(rule);
      if (!isInert(rule)) take(frame, surely, true);
      continue;
    }
    const matched = remaining.intersect(may);
    if (matched.isEmpty()) continue;
    marks.matched.add(rule);
    // Packets surely matched take the action only; the others may also go on.
    switch (action.kind) {
      case 'jump':
        // Of the surely matched packets those that come back go on; the maybe matched stay anyway.
        return enter(called(program, action.chain), matched, (callee) => {
          if (!callee.decided) take(frame, surely.subtract(cameBack(callee)), true);
          else if (callee.remaining.isEmpty()) take(frame, surely, true);
          else for (const set of callee.decided) take(frame, surely.intersect(set), true);
        });
      case 'return':
        frame.returned.push(matched);
        take(frame, surely, false);
        break;
      case 'continue':
        if (action.writes) taints.add(action.writes.metadata, matched);
        break;
      case 'goto':
        return enter(called(program, action.chain), matched, (callee) => {
          frame.returned.push(cameBack(callee));
          take(frame, surely, false);
        });
    }
  }
  if (!remaining.isEmpty()) markReached(marks, chain, chain.rules.length - 1);
  return undefined;
}

/** Whether the action ends the packets it takes (RETURN and goto hand them on). */
function decides(kind: DecisionRule['action']['kind']): kind is 'accept' | 'drop' | 'reject' | 'undetermined' {
  return kind === 'accept' || kind === 'drop' || kind === 'reject' || kind === 'undetermined';
}

function called(program: PolicyProgram, name: string): DecisionChain {
  const chain = program.chains.get(name);
  if (!chain) throw new Error(`internal: chain ${name} is not in the program`);
  return chain;
}

function effectiveMatch(rule: DecisionRule, taints: Taints): { surely: PacketSet; may: PacketSet } {
  const { surely, may } = rule.match;
  if (!rule.reads) return { surely, may };
  const changed = taints.of(rule.reads.metadata);
  if (changed.isEmpty()) return { surely, may };
  return { surely: surely.subtract(changed), may: may.union(rule.reads.relaxed.intersect(changed)) };
}
