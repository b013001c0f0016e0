/**
 * What is known of a packet's 32-bit metadata values (its mark and its connection's mark), bit by
 * bit, and how writes and tests act on that knowledge. A write the engine can follow keeps bits
 * known; a write it cannot follow, or two branches that wrote different values, leave bits
 * unknown, and a test of an unknown bit is undetermined. Both the set evaluator and the tracer use
 * these rules of arithmetic; each walks the rules on its own.
 */
import type { BitWrite, DecisionRule, PolicyProgram, ValueMetadata, ValueTest } from '../model/policy';

const ALL = 0xffffffff;

/** The bits set in `known` have the values in `bits`; `bits` is 0 outside `known`. */
export interface KnownBits {
  readonly known: number;
  readonly bits: number;
}

/** A packet's values and the rules that wrote each on its way (named when a test cannot tell). */
export interface ValueState {
  readonly values: Readonly<Record<ValueMetadata, KnownBits>>;
  readonly writers: Readonly<Record<ValueMetadata, ReadonlySet<DecisionRule>>>;
}

const ZERO: KnownBits = { known: ALL, bits: 0 };
const NOTHING_KNOWN: KnownBits = { known: 0, bits: 0 };

/** A connection's first packet: nothing has marked it or its new connection. */
export const INITIAL_STATE: ValueState = { values: { mark: ZERO, connmark: ZERO }, writers: { mark: new Set(), connmark: new Set() } };

/**
 * The rules of the program that write a connection's mark. A packet of an established connection
 * carries the mark they gave its earlier packets (a related one inherits its master's), which
 * the configuration alone does not tell.
 */
export function connectionMarkWriters(program: PolicyProgram): ReadonlySet<DecisionRule> {
  const writers = new Set<DecisionRule>();
  for (const chain of program.chains.values())
    for (const rule of chain.rules) if (rule.action.kind === 'continue' && rule.action.writes?.metadata === 'connmark') writers.add(rule);
  return writers;
}

/** A packet of an established or related connection, whose connection mark `writers` may have set on earlier packets. */
export function laterPacketState(writers: ReadonlySet<DecisionRule>): ValueState {
  if (writers.size === 0) return INITIAL_STATE;
  return { values: { mark: ZERO, connmark: NOTHING_KNOWN }, writers: { mark: new Set(), connmark: writers } };
}

function known(k: number, bits: number): KnownBits {
  return { known: k >>> 0, bits: (bits & k) >>> 0 };
}

function and(v: KnownBits, mask: number): KnownBits {
  // Bits outside the mask become known zeros.
  return known(v.known | ~mask, v.bits & mask);
}

function xor(a: KnownBits, b: KnownBits): KnownBits {
  return known(a.known & b.known, a.bits ^ b.bits);
}

function shifted(v: KnownBits, shift: number | undefined): KnownBits {
  if (!shift) return v;
  // The bits shifted in are zeros.
  if (shift > 0) return known((v.known << shift) | ((1 << shift) - 1), v.bits << shift);
  return known((v.known >>> -shift) | ~(ALL >>> -shift), v.bits >>> -shift);
}

/** What is known of a value that is either `a` or `b`: the bits both know and agree on. */
export function joinBits(a: KnownBits, b: KnownBits): KnownBits {
  return known(a.known & b.known & ~(a.bits ^ b.bits), a.bits);
}

/** The value `bits` makes of `target` (unknown when the write does not say), given the packet's values before it. */
function written(values: ValueState['values'], target: ValueMetadata, bits: BitWrite | undefined): KnownBits {
  if (!bits) return NOTHING_KNOWN;
  const own = shifted(xor(and(values[target], ~bits.clear), known(ALL, bits.flip)), bits.shift);
  if (!bits.copy) return own;
  return xor(own, shifted(and(values[bits.copy.from], bits.copy.mask), bits.copy.shift));
}

/** The state after `rule` writes `target`; with `maybe`, the state of a packet it may or may not have written. */
export function applyWrite(
  state: ValueState,
  target: ValueMetadata,
  bits: BitWrite | undefined,
  rule: DecisionRule,
  maybe = false,
): ValueState {
  const value = written(state.values, target, bits);
  const writers = new Set(state.writers[target]).add(rule);
  if (bits?.copy) for (const w of state.writers[bits.copy.from]) writers.add(w);
  return {
    values: { ...state.values, [target]: maybe ? joinBits(state.values[target], value) : value },
    writers: { ...state.writers, [target]: writers },
  };
}

/** What is known of a packet that is in one of two states (two branches of a rule that may match). */
export function joinStates(a: ValueState, b: ValueState): ValueState {
  if (a === b) return a;
  const union = (m: ValueMetadata): ReadonlySet<DecisionRule> =>
    a.writers[m] === b.writers[m] ? a.writers[m] : new Set([...a.writers[m], ...b.writers[m]]);
  return {
    values: { mark: joinBits(a.values.mark, b.values.mark), connmark: joinBits(a.values.connmark, b.values.connmark) },
    writers: { mark: union('mark'), connmark: union('connmark') },
  };
}

/** A key telling states with the same values apart from the others. */
export function valuesKey(state: ValueState): string {
  const { mark, connmark } = state.values;
  return `${mark.known},${mark.bits},${connmark.known},${connmark.bits}`;
}

/** Whether the test holds for the value: true, false, or 'unknown' when a bit it compares is unknown. */
export function testValue(test: ValueTest, state: ValueState): boolean | 'unknown' {
  const value = state.values[test.metadata];
  const mask = test.mask >>> 0;
  const expected = test.expected >>> 0;
  let equal: boolean | 'unknown';
  if ((expected & ~mask) !== 0) equal = false;
  else if (((value.bits ^ expected) & value.known & mask) !== 0) equal = false;
  else equal = (value.known & mask) >>> 0 === mask ? true : 'unknown';
  return equal === 'unknown' ? equal : equal !== test.negated;
}
