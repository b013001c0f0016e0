/**
 * Packet and connection marks as the kernel computes them (xt_mark.c, xt_connmark.c): the MARK
 * target sets `mark = (mark & ~mask) ^ value`; CONNMARK sets the connection's mark the same way
 * (then shifts it), saves `(ctmark & ~ctmask) ^ shift(mark & nfmask)`, or restores
 * `mark = (mark & ~nfmask) ^ shift(ctmark & ctmask)`, and does nothing to a packet without a
 * conntrack entry; `-m mark`/`-m connmark --mark value[/mask]` hold when `(mark & mask) == value`.
 * iptables reads the numbers as C's strtoul does (0x hexadecimal, a leading 0 octal) and takes an
 * option by any unambiguous prefix of its name (`--set-x`); iptables-save writes `--set-xmark`.
 */
import type { Target } from '../../../parsers/iptables-parser/src';
import type { MetadataWrite, ValueTest } from '../../model/policy';
import type { PacketSet } from '../../packetset';
import { BadValue } from './bad-value';

const ALL = 0xffffffff;
/** The kernel refuses a shift of 32 bits or more. */
const MAX_SHIFT = 31;

/** An unsigned 32-bit number as iptables reads it. */
function uint32(text: string, what: string): number {
  const digits = /^0x[0-9a-f]+$/i.test(text)
    ? text
    : /^0[0-7]*$/.test(text)
      ? `0o${text.slice(1) || '0'}`
      : /^[1-9]\d*$/.test(text)
        ? text
        : null;
  const value = digits === null ? undefined : Number(BigInt(digits) <= BigInt(ALL) ? BigInt(digits) : -1n);
  if (value === undefined || value < 0) throw new BadValue(`"${text}" is not ${what}: expected a number 0-0xffffffff`);
  return value;
}

/** `value[/mask]`; the mask is all ones when absent. */
function valueAndMask(text: string, what: string): { value: number; mask: number } {
  const [value, mask, extra] = text.split('/');
  if (extra !== undefined) throw new BadValue(`"${text}" is not ${what}: expected value[/mask]`);
  return { value: uint32(value, what), mask: mask === undefined ? ALL : uint32(mask, what) };
}

/** `-m mark --mark value[/mask]` or `-m connmark --mark value[/mask]`. */
export function markTest(module: string, text: string, negated: boolean): ValueTest {
  const { value, mask } = valueAndMask(text, 'a mark value[/mask]');
  return { metadata: module === 'mark' ? 'mark' : 'connmark', expected: value, mask, negated };
}

/** The option a name stands for: itself, or the one option it is a prefix of; undefined when unknown or ambiguous. */
function resolve(name: string, names: readonly string[]): string | undefined {
  if (names.includes(name)) return name;
  const candidates = names.filter((n) => n.startsWith(name));
  return candidates.length === 1 ? candidates[0] : undefined;
}

/**
 * The options a target was given, in their order and by their full names: iptables refuses an
 * option it does not know, a `!` before one, one given twice, and two of the same exclusive group.
 */
function optionsOf(target: Target, names: readonly string[], exclusive: readonly (readonly string[])[]): [string, string][] {
  const given: [string, string][] = [];
  for (const option of target.options) {
    const name = resolve(option.name, names);
    if (name === undefined)
      throw new BadValue(`${target.name} has no option --${option.name}: expected ${names.map((n) => `--${n}`).join(', ')}`);
    if (option.negated) throw new BadValue(`${target.name} --${name} cannot be negated`);
    const expected = FLAGS.includes(name) ? 0 : 1;
    if (option.values.length !== expected)
      throw new BadValue(`--${name} of ${target.name} expects ${expected === 0 ? 'no value' : 'one value'}, got ${option.values.length}`);
    if (given.some(([n]) => n === name)) throw new BadValue(`${target.name}: option --${name} can only be used once`);
    const rival = given.find(([n]) => exclusive.some((group) => group.includes(n) && group.includes(name)));
    if (rival) throw new BadValue(`${target.name}: option --${name} cannot be used together with --${rival[0]}`);
    given.push([name, option.values[0] ?? '']);
  }
  if (!given.some(([name]) => exclusive[0].includes(name)))
    throw new BadValue(`${target.name} needs one of ${exclusive[0].map((o) => `--${o}`).join(', ')}`);
  return given;
}

/** `--set-xmark`, `--set-mark`, `--and-mark`, `--or-mark`, `--xor-mark` as `(old & ~clear) ^ flip`. */
function setBits(op: string, text: string, target: string): { clear: number; flip: number } {
  if (op === 'set-xmark' || op === 'set-mark') {
    const { value, mask } = valueAndMask(text, `a ${target} value[/mask]`);
    // --set-mark zeroes the bits it sets: the mask covers the value.
    return { clear: op === 'set-mark' ? (mask | value) >>> 0 : mask, flip: value };
  }
  const bits = uint32(text, `a ${target} value`);
  if (op === 'and-mark') return { clear: ~bits >>> 0, flip: 0 };
  if (op === 'or-mark') return { clear: bits, flip: bits };
  return { clear: 0, flip: bits };
}

/** Options that take no value. */
const FLAGS = ['save-mark', 'restore-mark'];
const SET_OPERATIONS = ['set-xmark', 'set-mark', 'and-mark', 'or-mark', 'xor-mark'];
const CONNMARK_OPERATIONS = [...SET_OPERATIONS, 'save-mark', 'restore-mark'];
const CONNMARK_OPTIONS = [...CONNMARK_OPERATIONS, 'mask', 'nfmask', 'ctmask', 'left-shift-mark', 'right-shift-mark'];
const CONNMARK_EXCLUSIVE = [CONNMARK_OPERATIONS, ['mask', 'nfmask'], ['mask', 'ctmask']];

/** What `-j MARK …` writes. */
export function markWrite(target: Target): MetadataWrite {
  const [[op, text]] = optionsOf(target, SET_OPERATIONS, [SET_OPERATIONS]);
  return { metadata: 'mark', bits: setBits(op, text, 'MARK') };
}

/** CONNMARK's parameters as iptables fills them in, option after option: a later mask overrides what an operation set. */
interface ConnmarkInfo {
  op: string;
  /** The connection mark's change, for the set operations. */
  set: { clear: number; flip: number };
  nfmask: number;
  ctmask: number;
  shift: number;
}

function connmarkInfo(target: Target): ConnmarkInfo {
  const info: ConnmarkInfo = { op: '', set: { clear: 0, flip: 0 }, nfmask: ALL, ctmask: ALL, shift: 0 };
  for (const [name, text] of optionsOf(target, CONNMARK_OPTIONS, CONNMARK_EXCLUSIVE)) {
    if (CONNMARK_OPERATIONS.includes(name)) {
      info.op = name;
      if (SET_OPERATIONS.includes(name)) {
        info.set = setBits(name, text, 'CONNMARK');
        info.ctmask = info.set.clear;
      }
      continue;
    }
    const value = uint32(text, `a CONNMARK --${name}`);
    if (name === 'left-shift-mark' || name === 'right-shift-mark') {
      if (value > MAX_SHIFT) throw new BadValue(`CONNMARK shifts by at most ${MAX_SHIFT} bits, not ${value}`);
      info.shift = name === 'left-shift-mark' ? value : -value;
      continue;
    }
    if (name !== 'nfmask') info.ctmask = value;
    if (name !== 'ctmask') info.nfmask = value;
  }
  return info;
}

/**
 * What `-j CONNMARK …` writes, on the packets in `tracked` (those with a conntrack entry); nothing
 * where no packet has one (the raw table runs before connection tracking).
 */
export function connmarkWrite(target: Target, tracked: PacketSet): MetadataWrite | undefined {
  const { op, set, nfmask, ctmask, shift } = connmarkInfo(target);
  if (tracked.isEmpty()) return undefined;
  const where = tracked;
  if (op === 'save-mark')
    return { metadata: 'connmark', bits: { clear: ctmask, flip: 0, copy: { from: 'mark', mask: nfmask, shift } }, where };
  if (op === 'restore-mark')
    return { metadata: 'mark', bits: { clear: nfmask, flip: 0, copy: { from: 'connmark', mask: ctmask, shift } }, where };
  // A mask given after the operation replaces the one it implied; the value stays.
  return { metadata: 'connmark', bits: { clear: ctmask, flip: set.flip, shift }, where };
}
