/**
 * Windows Firewall's evaluation compiled to decision lists (MS-FASP 2.2.34: "Allow-bypass rules
 * take precedence over block rules, and block rules take precedence over allow rules"): per
 * profile and direction one chain of order `precedence` — the bypass rules, then every block
 * rule, then every allow rule, then the profile's default action. The order of rules within a
 * class does not matter; a rule is in a profile's chain when it names that profile or none.
 * Profiles are variants: the host is in one at a time.
 */
import type { FirewallRule } from '../../../parsers/windows-firewall/src';
import type { Diagnostic } from '../../model/errors';
import { exactly } from '../../model/match';
import {
  InterfaceUniverse,
  type Action,
  type DecisionChain,
  type DecisionRule,
  type EnforcementPoint,
  type Match,
  type PolicyProgram,
  type SourceRef,
  type Traffic,
} from '../../model/policy';
import { PacketSet, type Family } from '../../packetset';
import type { EffectivePolicy, InForce, ProfileInForce, RuleInForce, Written } from './effective';
import { windowsRuleMatch } from './match';
import type { WindowsOptions } from './options';

type Direction = Extract<Traffic, 'inbound' | 'outbound'>;
const DIRECTIONS: readonly Direction[] = ['inbound', 'outbound'];

/** A rule that Windows enforces, with its place in the precedence. */
interface Enforced extends RuleInForce {
  direction: Direction;
  rank: 'bypass' | 'block' | 'allow';
  source: SourceRef;
  identity: string;
}

/** An enforced rule with what it matches in each family: one match serves every profile's chain. */
interface Compiled extends Enforced {
  matches: Readonly<Record<Family, Match>>;
}

export function windowsPrograms(
  effective: EffectivePolicy,
  options: WindowsOptions,
  interfaceNames: readonly string[],
  warnings: Diagnostic[],
): PolicyProgram[] {
  const compiled = enforcedRules(effective.rules, warnings).map((rule): Compiled => {
    const matchIn = (family: Family): Match => windowsRuleMatch(rule.rule, { family, direction: rule.direction, options, file: rule.file });
    return { ...rule, matches: { 4: matchIn(4), 6: matchIn(6) } };
  });
  for (const rule of compiled) {
    if (rule.matches[4].may.isEmpty() && rule.matches[6].may.isEmpty()) {
      warnings.push({
        location: { file: rule.file, ...rule.rule.location },
        message: `${describe(rule.rule)} matches no packet of either family (its IPv4 and IPv6 conditions exclude each other): it has no effect`,
      });
    }
  }
  return ([4, 6] as const).map((family) => program(family, effective, compiled, options, interfaceNames));
}

function program(
  family: Family,
  effective: EffectivePolicy,
  compiled: Compiled[],
  options: WindowsOptions,
  interfaceNames: readonly string[],
): PolicyProgram {
  const chains = new Map<string, DecisionChain>();
  const points: EnforcementPoint[] = [];
  for (const profile of effective.profiles.filter((p) => options.profiles.includes(p.profile))) {
    for (const direction of DIRECTIONS) {
      const id = `${profile.profile.toLowerCase()}-${direction}`;
      const label = `${profile.profile} profile, ${direction}`;
      const variant = profile.profile.toLowerCase();
      if (!profile.enabled.value) {
        points.push({
          id,
          label,
          traffic: direction,
          variant,
          unfiltered: { reason: `EnableFirewall is false for the ${profile.profile} profile`, ...refOf(profile.enabled) },
          stages: [],
        });
        continue;
      }
      chains.set(id, chain(id, family, profile, direction, effective, compiled));
      points.push({ id, label, traffic: direction, variant, stages: [{ chain: id, primary: true }] });
    }
  }
  return {
    family,
    file: effective.at.file,
    chains,
    points,
    interfaces: new InterfaceUniverse(interfaceNames),
    ruleCount: effective.rules.length,
  };
}

function chain(
  name: string,
  family: Family,
  profile: ProfileInForce,
  direction: Direction,
  effective: EffectivePolicy,
  compiled: Compiled[],
): DecisionChain {
  const full = PacketSet.full(family);
  const rules: DecisionRule[] = [];
  const add = (rule: Omit<DecisionRule, 'id' | 'chain'>): void =>
    void rules.push({ ...rule, id: `${name}#${rules.length + 1}`, chain: name });
  /** A rule a setting implies: it matches every packet. */
  const setting = (value: InForce<unknown>, text: string, action: Action, group: string): void => {
    add({ match: exactly(full), action, source: sourceOf(value, profile, effective, text), identity: text, group });
  };

  if (profile.disabledInterfaces) {
    const list = profile.disabledInterfaces.value.join(',');
    setting(
      profile.disabledInterfaces,
      `DisabledInterfaces = ${list}`,
      {
        kind: 'undetermined',
        reason: `the ${profile.profile} profile's firewall is off on the interfaces ${list} (DisabledInterfaces), and which interface a flow uses is not known`,
      },
      'setting',
    );
  }
  if (direction === 'inbound' && profile.shieldUp) {
    // FW_PROFILE_CONFIG_SHIELDED: "the server MUST block all inbound traffic".
    setting(profile.shieldUp, 'DoNotAllowExceptions = true (every inbound connection is blocked)', { kind: 'drop' }, 'setting');
  }
  const applies = (rule: Compiled): boolean =>
    rule.direction === direction &&
    (rule.rule.profile.length === 0 || rule.rule.profile.some((p) => p.value === profile.profile)) &&
    (rule.layer === 'policy' || profile.localMerge.value);
  for (const rank of ['bypass', 'block', 'allow'] as const) {
    for (const rule of compiled.filter((r) => r.rank === rank && applies(r))) {
      const match = rule.matches[family];
      // A rule that names addresses of the other family only is not a rule of this family's program.
      if (match.may.isEmpty()) continue;
      add({ match, action: { kind: rank === 'block' ? 'drop' : 'accept' }, source: rule.source, identity: rule.identity, group: rank });
    }
  }
  const defaultAction = direction === 'inbound' ? profile.inbound : profile.outbound;
  const settingName = direction === 'inbound' ? 'DefaultInboundAction' : 'DefaultOutboundAction';
  if (defaultAction.value === 'Block' && profile.localMerge.value && !effective.allRulesShown) {
    setting(
      profile.localMerge,
      `${profile.localMerge.text} (rules of the host's local store apply too)`,
      {
        kind: 'undetermined',
        reason: `the ${profile.profile} profile merges the host's local rules (${profile.localMerge.text}), which this export does not show: one of them may allow what ${settingName} blocks`,
      },
      'local rules',
    );
  }
  return {
    name,
    title: `${profile.profile} ${direction}`,
    phrase: `the ${profile.profile} profile's ${direction} rules`,
    order: 'precedence',
    rules,
    policy: {
      verdict: defaultAction.value === 'Block' ? 'drop' : 'accept',
      group: 'default',
      ...refOf(defaultAction),
      phrase: `the ${profile.profile} profile's default ${direction} action (${defaultAction.text})`,
    },
  };
}

/** The source of a setting that is written; none for Windows' defaults. */
function refOf(value: InForce<unknown>): { source?: SourceRef } {
  return value.at ? { source: { file: value.at.file, line: value.at.location.line, text: value.text, ...pathOf(value.at) } } : {};
}

/** A rule made from a setting: located at the setting, else at its profile, else at the policy. */
function sourceOf(value: InForce<unknown>, profile: ProfileInForce, effective: EffectivePolicy, text: string): SourceRef {
  const at: Written = value.at ?? profile.at ?? effective.at;
  return { file: at.file, line: at.location.line, text, ...pathOf(at) };
}

function pathOf(at: Written): { path?: string } {
  return at.location.path !== undefined ? { path: at.location.path } : {};
}

/**
 * The rules Windows enforces: active, with an action and a direction it accepts. The others are
 * kept out of every chain and said in warnings: a rule without Active= is inactive (MS-GPFAS).
 */
function enforcedRules(rules: RuleInForce[], warnings: Diagnostic[]): Enforced[] {
  const inactive: RuleInForce[] = [];
  const enforced: Enforced[] = [];
  const platformLimited: RuleInForce[] = [];
  for (const entry of rules) {
    const { rule, file } = entry;
    const where = { file, ...rule.location };
    if (rule.active === undefined) {
      warnings.push({ location: where, message: `${describe(rule)} has no Active=, which MS-GPFAS reads as inactive: it is not enforced` });
      continue;
    }
    if (!rule.active.value) {
      inactive.push(entry);
      continue;
    }
    const problem = unenforceable(rule);
    if (problem) {
      warnings.push({ location: where, message: `${describe(rule)} ${problem}: Windows does not enforce such a rule` });
      continue;
    }
    if (rule.platform.length > 0) platformLimited.push(entry);
    const outbound = rule.dir!.value === 'Out';
    const bypass = rule.action!.value === 'ByPass' || (outbound && rule.authByPassOut?.value === true && rule.security !== undefined);
    enforced.push({
      ...entry,
      direction: outbound ? 'outbound' : 'inbound',
      rank: bypass ? 'bypass' : rule.action!.value === 'Block' ? 'block' : 'allow',
      source: {
        file,
        line: rule.location.line,
        text: rule.text,
        ...(rule.location.path !== undefined ? { path: rule.location.path } : {}),
      },
      identity: rule.id !== undefined ? `${rule.id}=${rule.text}` : rule.text,
    });
  }
  if (inactive.length > 0) {
    warnings.push({
      location: { file: inactive[0].file, ...inactive[0].rule.location },
      message: `${inactive.length} ${inactive.length === 1 ? 'rule is' : 'rules are'} inactive (Active=FALSE) and not enforced: ${lineList(inactive)}`,
    });
  }
  if (platformLimited.length > 0) {
    warnings.push({
      location: { file: platformLimited[0].file, ...platformLimited[0].rule.location },
      message: `${platformLimited.length} ${platformLimited.length === 1 ? 'rule applies' : 'rules apply'} only on some Windows versions (Platform=), assumed to include the host's: ${lineList(platformLimited)}`,
    });
  }
  return enforced;
}

/** Why Windows refuses a rule (MS-FASP 2.2.37), or undefined. */
function unenforceable(rule: FirewallRule): string | undefined {
  if (!rule.action) return 'has no Action=';
  if (!rule.dir) return 'has no Dir=';
  if (rule.action.value === 'ByPass' && rule.dir.value !== 'In') return 'is Action=ByPass with Dir=Out (ByPass rules are inbound only)';
  if (rule.action.value === 'Block' && rule.security)
    return `is a Block rule with ${rule.security.key}= (only allow rules may require authentication)`;
  return undefined;
}

function describe(rule: FirewallRule): string {
  return rule.name ? `rule "${rule.name.value}"` : rule.id !== undefined ? `rule ${rule.id}` : 'the rule';
}

function lineList(rules: RuleInForce[]): string {
  const lines = rules.map((r) => `line ${r.rule.location.line}`);
  return lines.length > 12 ? `${lines.slice(0, 12).join(', ')} and ${lines.length - 12} more` : lines.join(', ');
}
