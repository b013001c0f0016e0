/**
 * A rule's conditions the engine cannot decide from a packet's addresses, ports and protocol: a
 * schedule (it depends on the time), a tag another rule sets, the sender's OS fingerprint, a DSCP
 * or VLAN priority value. Each makes the rule undecided, with the reason; and TCP flags, which it can.
 */
import type { Text } from '../../../parsers/pfsense-config/src';
import { TcpFlag } from '../../packetset';
import type { Diagnostic } from '../../model/errors';

export interface ConditionFields {
  readonly sched: Text | undefined;
  readonly tagged: Text | undefined;
  readonly os: Text | undefined;
  /** pfSense `dscp`, OPNsense `tos`. */
  readonly tos: Text | undefined;
  /** pfSense `vlanprio`, OPNsense `prio`. */
  readonly priority: Text | undefined;
}

export interface ConditionContext {
  readonly file: string;
  readonly warnings: Diagnostic[];
  readonly schedules: ReadonlySet<string>;
}

function written(text: Text | undefined): string {
  const value = text?.value ?? '';
  return value === 'none' ? '' : value;
}

export function undecidedConditions(rule: ConditionFields, protocol: string, context: ConditionContext): string[] {
  const reasons: string[] = [];
  const schedule = written(rule.sched);
  if (schedule !== '') {
    if (context.schedules.has(schedule)) reasons.push(`it applies only while schedule ${schedule} is active`);
    else
      context.warnings.push({
        location: { file: context.file, line: rule.sched!.line, path: rule.sched!.path },
        message: `schedule ${schedule} is not defined: the firewall applies the rule at all times`,
      });
  }
  const tagged = written(rule.tagged);
  if (tagged !== '') reasons.push(`it matches only packets another rule tagged ${tagged}`);
  // pfSense writes the OS condition for TCP rules only.
  const os = written(rule.os);
  if (os !== '' && protocol.toLowerCase() === 'tcp') reasons.push(`it matches only senders whose OS fingerprint is ${os}`);
  const tos = written(rule.tos);
  if (tos !== '') reasons.push(`it matches only packets with DSCP ${tos}`);
  const priority = written(rule.priority);
  if (priority !== '') reasons.push(`it matches only packets with VLAN priority ${priority}`);
  return reasons;
}

const FLAG_LETTERS: ReadonlyMap<string, number> = new Map([
  ['f', TcpFlag.FIN],
  ['s', TcpFlag.SYN],
  ['r', TcpFlag.RST],
  ['p', TcpFlag.PSH],
  ['a', TcpFlag.ACK],
  ['u', TcpFlag.URG],
  ['e', TcpFlag.ECE],
  ['c', TcpFlag.CWR],
]);

function flagBits(list: string): number {
  return list
    .split(',')
    .map((name) => FLAG_LETTERS.get(name.trim().charAt(0).toLowerCase()) ?? 0)
    .reduce((bits, bit) => bits | bit, 0);
}

export interface FlagFields {
  readonly tcpflags1: Text | undefined;
  readonly tcpflags2: Text | undefined;
  readonly tcpflags_any: Text | undefined;
}

/**
 * A TCP rule's flags test as pf reads `flags set/mask`: the written one, none for "any flags",
 * and pfSense's `S/SA` otherwise (`anyFlags` says whether `tcpflags_any` is on).
 */
export function tcpFlagsOf(
  rule: FlagFields,
  anyFlags: boolean,
  fallback: { set: number; mask: number } | undefined,
): { set: number; mask: number } | undefined {
  if (anyFlags) return undefined;
  const mask = flagBits(rule.tcpflags2?.value ?? '');
  if (mask !== 0) return { set: flagBits(rule.tcpflags1?.value ?? '') & mask, mask };
  return fallback;
}

export const SYN_OF_SYN_ACK = { set: TcpFlag.SYN, mask: TcpFlag.SYN | TcpFlag.ACK };
