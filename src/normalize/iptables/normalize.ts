/**
 * iptables-save syntax tree → policy program. Each table's chains become decision chains; the
 * enforcement points run the tables in the kernel's order (raw, mangle, nat, filter, security).
 */
import type { Rule, Ruleset, Target } from '../../../parsers/iptables-parser/src';
import { InputError, type Diagnostic } from '../../model/errors';
import {
  InterfaceUniverse,
  type Action,
  type ChainPolicy,
  type Traffic,
  type DecisionChain,
  type DecisionRule,
  type EnforcementPoint,
  type PolicyProgram,
  type Stage,
} from '../../model/policy';
import { BadValue, ruleMatch, withoutConntrack } from './matches';
import { connmarkWrite, markWrite } from './marks';
import type { IpSet } from './ipset';
import { PacketSet, type Family, type Ranges } from '../../packetset';

/** The hooks a packet passes through, table by table, per enforcement point (named after the filter table's chain). */
const POINT_STAGES: Readonly<Record<'INPUT' | 'FORWARD' | 'OUTPUT', readonly [table: string, chain: string][]>> = {
  INPUT: [
    ['raw', 'PREROUTING'],
    ['mangle', 'PREROUTING'],
    ['nat', 'PREROUTING'],
    ['mangle', 'INPUT'],
    ['filter', 'INPUT'],
    ['security', 'INPUT'],
    ['nat', 'INPUT'],
  ],
  FORWARD: [
    ['raw', 'PREROUTING'],
    ['mangle', 'PREROUTING'],
    ['nat', 'PREROUTING'],
    ['mangle', 'FORWARD'],
    ['filter', 'FORWARD'],
    ['security', 'FORWARD'],
    ['mangle', 'POSTROUTING'],
    ['nat', 'POSTROUTING'],
  ],
  OUTPUT: [
    ['raw', 'OUTPUT'],
    ['mangle', 'OUTPUT'],
    ['nat', 'OUTPUT'],
    ['filter', 'OUTPUT'],
    ['security', 'OUTPUT'],
    ['mangle', 'POSTROUTING'],
    ['nat', 'POSTROUTING'],
  ],
};

const POINT_TRAFFIC: Readonly<Record<keyof typeof POINT_STAGES, Traffic>> = { INPUT: 'inbound', FORWARD: 'forwarded', OUTPUT: 'outbound' };

/** The kernel's loopback interface: packets from other hosts never arrive on it. */
const LOOPBACK = 'lo';

/** Targets that only look, count or change what no match of the engine reads: the packet goes on. */
const NON_TERMINATING = new Set([
  'LOG',
  'NFLOG',
  'ULOG',
  'TRACE',
  'AUDIT',
  'TCPMSS',
  'TOS',
  'DSCP',
  'TTL',
  'HL',
  'ECN',
  'CLASSIFY',
  'CHECKSUM',
  'SECMARK',
  'CONNSECMARK',
  'IDLETIMER',
  'LED',
  'SET',
  'RATEEST',
  'TEE',
  'TCPOPTSTRIP',
]);
/** Source address translation ends the nat chain; it happens after the filter decision. (NETMAP may map either way: treated as destination NAT.) */
const SOURCE_NAT = new Set(['SNAT', 'MASQUERADE']);
const DESTINATION_NAT = new Set(['DNAT', 'REDIRECT', 'NETMAP', 'TPROXY']);

export interface NormalizeOptions {
  file: string;
  /** Interface names known from elsewhere (the deployment), so that they have their own index. */
  interfaceNames?: Iterable<string>;
  /** The ipsets `-m set` rules refer to, from an `ipset save` file. */
  ipsets?: Map<string, IpSet>;
  /** The firewall's own addresses (all of them), which `-m addrtype` calls LOCAL. */
  localAddresses?: Record<Family, Ranges>;
  /** Where what the normalizer notices but does not stop on goes (a rule the kernel skips). */
  warnings?: Diagnostic[];
}

/**
 * What identifies a rule (or a chain's policy) across edits: its text without its counters. An
 * IPv6 one's is marked as such, so that an iptables and an ip6tables rule or policy with the same
 * text (a firewall's two files) have fingerprints of their own.
 */
function ruleIdentity(text: string, family: Family): string {
  const rule = text.replace(/^\[\d+:\d+\]\s*/, '');
  return family === 6 ? `ip6tables ${rule}` : rule;
}

export function normalizeIptables(ruleset: Ruleset, options: NormalizeOptions): PolicyProgram {
  const { file } = options;
  const family = ruleset.family;
  const names = new Set<string>(options.interfaceNames ?? []);
  for (const table of ruleset.tables)
    for (const chain of table.chains)
      for (const rule of chain.rules) {
        if (rule.inInterface) names.add(rule.inInterface.value);
        if (rule.outInterface) names.add(rule.outInterface.value);
      }
  const interfaces = new InterfaceUniverse(names, [LOOPBACK]);
  const chains = new Map<string, DecisionChain>();
  let ruleCount = 0;

  for (const table of ruleset.tables) {
    const userChains = new Set(table.chains.filter((c) => !c.builtin).map((c) => c.name));
    for (const chain of table.chains) {
      const name = `${table.name}/${chain.name}`;
      const rules: DecisionRule[] = [];
      for (const rule of chain.rules) {
        if (rule.familyOnly !== undefined && rule.familyOnly !== family) {
          options.warnings?.push({
            location: { file, line: rule.line },
            message: `the rule is marked for IPv${rule.familyOnly} only (-${rule.familyOnly}), so ip${family === 6 ? '6' : ''}tables-restore skips it in this IPv${family} rule set`,
          });
          continue;
        }
        ruleCount++;
        const source = { file, line: rule.line, text: rule.text };
        let compiled;
        let ruleAction;
        try {
          compiled = ruleMatch(rule, {
            family,
            table: table.name,
            interfaces,
            ...(options.ipsets ? { ipsets: options.ipsets } : {}),
            ...(options.localAddresses ? { localAddresses: options.localAddresses[family] } : {}),
          });
          ruleAction = action(rule, table.name, userChains, family);
        } catch (e) {
          if (e instanceof BadValue) throw new InputError([{ location: { file, line: rule.line }, message: e.message }]);
          throw e;
        }
        rules.push({
          id: `${name}#${rules.length + 1}`,
          chain: name,
          match: compiled.match,
          action: ruleAction,
          source,
          identity: ruleIdentity(rule.text, family),
          ...(compiled.reads ? { reads: compiled.reads } : {}),
        });
      }
      // A built-in chain the file never declares still has its ACCEPT policy: located at its table.
      const policySource = chain.builtin
        ? chain.policyLine !== undefined
          ? { file, line: chain.policyLine, text: `:${chain.name} ${chain.policy}` }
          : { file, line: chain.line, text: `:${chain.name} ${chain.policy ?? 'ACCEPT'} (not declared: the default policy)` }
        : undefined;
      const policy: ChainPolicy | undefined = policySource && {
        verdict: chain.policy === 'DROP' ? 'drop' : 'accept',
        phrase: `the ${chain.name} chain's default policy`,
        source: policySource,
        // Marked IPv6 like the rules: the same policy in a firewall's iptables and ip6tables files is two.
        identity: ruleIdentity(policySource.text, family),
      };
      chains.set(name, {
        name,
        title: chain.name,
        table: table.name,
        phrase: `chain ${chain.name}`,
        order: 'sequence',
        rules,
        ...(policy ? { policy } : {}),
      });
    }
  }

  const points: EnforcementPoint[] = (Object.keys(POINT_STAGES) as (keyof typeof POINT_STAGES)[]).map((point) => ({
    id: point,
    label: point,
    traffic: POINT_TRAFFIC[point],
    stages: POINT_STAGES[point]
      .filter(([table, chain]) => chains.has(`${table}/${chain}`))
      .map(([table, chain]): Stage => ({
        chain: `${table}/${chain}`,
        ...(table === 'nat' ? { firstPacketOnly: true } : {}),
        ...(table === 'filter' ? { primary: true } : {}),
      })),
  }));
  return { family, file, chains, points, interfaces, ruleCount };
}

function action(rule: Rule, table: string, userChains: Set<string>, family: Family): Action {
  const target: Target | undefined = rule.target;
  if (!target) return { kind: 'continue' };
  const chainName = `${table}/${target.name}`;
  if (userChains.has(target.name)) return target.kind === 'goto' ? { kind: 'goto', chain: chainName } : { kind: 'jump', chain: chainName };
  switch (target.name) {
    case 'ACCEPT':
      return { kind: 'accept' };
    case 'DROP':
      return { kind: 'drop' };
    case 'REJECT':
      return { kind: 'reject' };
    case 'RETURN':
      return { kind: 'return' };
    case 'MARK':
      return { kind: 'continue', writes: markWrite(target) };
    case 'CONNMARK': {
      const full = PacketSet.full(family);
      const writes = connmarkWrite(target, full.subtract(withoutConntrack({ table }, full)));
      return writes ? { kind: 'continue', writes } : { kind: 'continue' };
    }
    case 'HMARK':
      // The mark is a hash of the packet's addresses and ports, which fwmatrix does not compute.
      return { kind: 'continue', writes: { metadata: 'mark' } };
    case 'NOTRACK':
      return { kind: 'continue', writes: { metadata: 'ctstate' } };
    case 'CT':
      return target.options.some((o) => o.name === 'notrack')
        ? { kind: 'continue', writes: { metadata: 'ctstate' } }
        : { kind: 'continue' };
    case 'QUEUE':
    case 'NFQUEUE':
      return { kind: 'undetermined', reason: `target ${target.name} hands the packet to a userspace program, which decides` };
  }
  if (NON_TERMINATING.has(target.name)) return { kind: 'continue' };
  if (SOURCE_NAT.has(target.name)) return { kind: 'accept' };
  if (DESTINATION_NAT.has(target.name))
    return {
      kind: 'undetermined',
      reason: `target ${target.name} rewrites the destination, and fwmatrix does not model address translation yet`,
    };
  return { kind: 'undetermined', reason: `target ${target.name} is not modelled` };
}
