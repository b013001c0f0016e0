/**
 * The policy a host enforces, from the stores and GPOs of an export: per profile whether the
 * firewall is on, its default actions and whether local rules merge in (MS-GPFAS 2.2.3), and the
 * rules of each store. Group Policy settings win over local ones; what neither sets is Windows'
 * default, said in a warning; GPOs of one report that set a setting differently are refused,
 * since which one wins depends on their links (an RSoP report says).
 */
import type { FirewallPolicy, FirewallRule, Location, ProfileKey, ProfileSettings, Setting } from '../../../parsers/windows-firewall/src';
import { InputError, type Diagnostic } from '../../model/errors';
import { PROFILE_NAMES, type ProfileName } from './options';

/** Where something is written: the file and the place in it. */
export interface Written {
  file: string;
  location: Location;
}

/** The policies an export holds, with the file they come from. */
export interface ExportedPolicies {
  file: string;
  policies: FirewallPolicy[];
}

/** A setting in force: its value, and where it was written (none: Windows' default). */
export interface InForce<T> {
  value: T;
  at?: Written;
  /** The setting as the reports quote it: `DefaultInboundAction = Block`. */
  text: string;
}

export interface ProfileInForce {
  profile: ProfileName;
  enabled: InForce<boolean>;
  inbound: InForce<'Allow' | 'Block'>;
  outbound: InForce<'Allow' | 'Block'>;
  /** AllowLocalPolicyMerge: rules of the host's local store apply too (Windows' default: yes). */
  localMerge: InForce<boolean>;
  shieldUp?: InForce<boolean>;
  disabledInterfaces?: InForce<string[]>;
  /** Where the profile is written, to locate what the settings imply. */
  at?: Written;
}

/** Where a rule comes from: Group Policy (or a rule list) always applies; the local store only where the profile merges it. */
export type RuleLayer = 'policy' | 'local';

export interface RuleInForce {
  rule: FirewallRule;
  layer: RuleLayer;
  file: string;
}

export interface EffectivePolicy {
  profiles: ProfileInForce[];
  rules: RuleInForce[];
  /**
   * The export shows every rule the host has: its local store is in it, or it is a plain list of
   * rule strings (taken as the host's whole rule set).
   */
  allRulesShown: boolean;
  /** Where the policy is written (the first store or extension), to locate what it implies. */
  at: Written;
}

const DEFAULTS = { enabled: true, inbound: 'Block', outbound: 'Allow', localMerge: true } as const;

/** A policy with the file it is written in. */
interface Placed {
  file: string;
  policy: FirewallPolicy;
}

function layerOf(policy: FirewallPolicy): RuleLayer {
  return policy.source === 'local-store' ? 'local' : 'policy';
}

/**
 * The profile key that holds a profile's settings in one store. MS-GPFAS 2.2.3: in the policy
 * store, StandardProfile applies to Private and Public when neither of their keys exists; the
 * local store keeps the private profile under StandardProfile.
 */
function profileSettings(policy: FirewallPolicy, profile: ProfileName): ProfileSettings | undefined {
  const byKey = (key: ProfileKey): ProfileSettings | undefined => policy.profiles.find((p) => p.profile === key);
  if (profile === 'Domain') return byKey('DomainProfile');
  const own = byKey(profile === 'Private' ? 'PrivateProfile' : 'PublicProfile');
  if (own) return own;
  if (policy.source === 'local-store') return profile === 'Private' ? byKey('StandardProfile') : undefined;
  return byKey('PrivateProfile') || byKey('PublicProfile') ? undefined : byKey('StandardProfile');
}

type SettingName =
  | 'enableFirewall'
  | 'defaultInboundAction'
  | 'defaultOutboundAction'
  | 'allowLocalPolicyMerge'
  | 'doNotAllowExceptions'
  | 'disabledInterfaces';

const TITLES: Readonly<Record<SettingName, string>> = {
  enableFirewall: 'EnableFirewall',
  defaultInboundAction: 'DefaultInboundAction',
  defaultOutboundAction: 'DefaultOutboundAction',
  allowLocalPolicyMerge: 'AllowLocalPolicyMerge',
  doNotAllowExceptions: 'DoNotAllowExceptions',
  disabledInterfaces: 'DisabledInterfaces',
};

/** A setting as found: its value, where, and a note when StandardProfile stands in for the profile. */
type Found<T> = { value: T; at: Written; note?: string };

function standardNote(policy: FirewallPolicy, settings: ProfileSettings): string | undefined {
  if (settings.profile !== 'StandardProfile') return undefined;
  return policy.source === 'local-store'
    ? "StandardProfile: the local store's private profile"
    : 'StandardProfile: it applies to the Private and Public profiles when neither has a key';
}

/** One setting of a profile across the policies of a layer; policies that disagree are refused. */
function layerSetting<T>(placed: Placed[], profile: ProfileName, name: SettingName): Found<T> | undefined {
  const found = placed.flatMap(({ file, policy }) => {
    const settings = profileSettings(policy, profile);
    const setting = settings?.[name] as Setting<T> | undefined;
    if (!settings || !setting) return [];
    const note = standardNote(policy, settings);
    return [{ policy, value: setting.value, at: { file, location: setting.location }, ...(note ? { note } : {}) }];
  });
  if (new Set(found.map((f) => JSON.stringify(f.value))).size > 1) {
    throw new InputError(
      found.map((f) => ({
        location: { file: f.at.file, ...f.at.location },
        message: `${f.policy.name} sets ${TITLES[name]} of the ${profile} profile to ${String(f.value)} and another GPO of this report sets it otherwise; which applies depends on their links: give the GPO that applies, or an RSoP report (gpresult /x)`,
      })),
    );
  }
  return found[0];
}

function inForce<T>(name: SettingName, found: Found<T> | undefined, fallback: T, show: (value: T) => string): InForce<T> {
  if (found)
    return { value: found.value, at: found.at, text: `${TITLES[name]} = ${show(found.value)}${found.note ? ` (${found.note})` : ''}` };
  return { value: fallback, text: `${TITLES[name]} not set: Windows' default, ${show(fallback)}` };
}

const onOff = (value: boolean): string => (value ? 'true' : 'false');

/** The effective policy of the policies exports hold; what it assumes for the audited profiles is said in warnings. */
export function effectivePolicy(exports: ExportedPolicies[], audited: readonly ProfileName[], warnings: Diagnostic[]): EffectivePolicy {
  const placed = exports.flatMap(({ file, policies }) => policies.map((policy) => ({ file, policy })));
  const applied = placed.filter(({ file, policy }) => {
    if (policy.gpo?.computerEnabled !== false) return true;
    warnings.push({
      location: { file, ...policy.location },
      message: `the computer settings of GPO ${policy.name} are disabled (<Computer><Enabled>false): its ${policy.rules.length} firewall ${policy.rules.length === 1 ? 'rule' : 'rules'} and its profile settings do not apply`,
    });
    return false;
  });
  const group = applied.filter(({ policy }) => layerOf(policy) === 'policy');
  const local = applied.filter(({ policy }) => layerOf(policy) === 'local');
  const first = applied[0] ?? placed[0];
  const at: Written = first ? { file: first.file, location: first.policy.location } : { file: exports[0].file, location: { line: 1 } };
  const profiles = PROFILE_NAMES.map((profile) => profileInForce(profile, group, local, at, audited.includes(profile) ? warnings : []));
  warnLegacyExceptions(applied, audited, warnings);
  warnOtherRuleSets(applied, warnings);
  const rules = applied.flatMap(({ file, policy }) => policy.rules.map((rule) => ({ rule, layer: layerOf(policy), file })));
  const allRulesShown = local.length > 0 || (applied.length > 0 && applied.every(({ policy }) => policy.source === 'rule-list'));
  return { profiles, rules, allRulesShown, at };
}

function profileInForce(profile: ProfileName, group: Placed[], local: Placed[], at: Written, warnings: Diagnostic[]): ProfileInForce {
  // AllowLocalPolicyMerge is Group Policy's own: it says whether the local store counts.
  const pick = <T>(name: SettingName): Found<T> | undefined =>
    layerSetting<T>(group, profile, name) ?? (name === 'allowLocalPolicyMerge' ? undefined : layerSetting<T>(local, profile, name));
  const writtenIn = [...group, ...local].find(({ policy }) => profileSettings(policy, profile) !== undefined);
  const written: Written | undefined = writtenIn
    ? { file: writtenIn.file, location: profileSettings(writtenIn.policy, profile)!.location }
    : undefined;
  const enabled = inForce('enableFirewall', pick<boolean>('enableFirewall'), DEFAULTS.enabled, onOff);
  const inbound = inForce<'Allow' | 'Block'>('defaultInboundAction', pick('defaultInboundAction'), DEFAULTS.inbound, String);
  const outbound = inForce<'Allow' | 'Block'>('defaultOutboundAction', pick('defaultOutboundAction'), DEFAULTS.outbound, String);
  const localMerge = inForce('allowLocalPolicyMerge', pick<boolean>('allowLocalPolicyMerge'), DEFAULTS.localMerge, onOff);
  const shieldUp = pick<boolean>('doNotAllowExceptions');
  const disabledInterfaces = pick<string[]>('disabledInterfaces');
  // A profile whose firewall is off has no default actions to assume.
  const assumed = (enabled.value ? [enabled, inbound, outbound] : [enabled])
    .filter((s) => s.at === undefined)
    .map((s) => s.text.split(' ')[0]);
  if (assumed.length > 0) {
    const where = written ?? at;
    warnings.push({
      location: { file: where.file, ...where.location },
      message: `the ${profile} profile's ${assumed.join(', ')} ${assumed.length === 1 ? 'is' : 'are'} not set here: Windows' defaults are assumed (firewall on, inbound blocked, outbound allowed); the host's own setting may differ`,
    });
  }
  return {
    profile,
    enabled,
    inbound,
    outbound,
    localMerge,
    ...(shieldUp?.value ? { shieldUp: inForce('doNotAllowExceptions', shieldUp, false, onOff) } : {}),
    ...(disabledInterfaces && disabledInterfaces.value.length > 0
      ? { disabledInterfaces: inForce('disabledInterfaces', disabledInterfaces, [], (list) => list.join(',')) }
      : {}),
    ...(written ? { at: written } : {}),
  };
}

/**
 * The exceptions of the Windows XP firewall's policy (a profile's Services, RemoteAdminSettings,
 * GloballyOpenPorts and AuthorizedApplications subkeys) still open ports when enabled; they are
 * not read, so an enabled one is said.
 */
function warnLegacyExceptions(placed: Placed[], audited: readonly ProfileName[], warnings: Diagnostic[]): void {
  const seen = new Set<ProfileSettings>();
  for (const { file, policy } of placed) {
    for (const profile of audited) {
      const settings = profileSettings(policy, profile);
      if (!settings || seen.has(settings)) continue;
      seen.add(settings);
      for (const section of settings.sections) {
        const enabled = section.settings.some((s) => s.name.toLowerCase() === 'enabled' && s.value !== 0);
        const listed = /(^|\\)List$/i.test(section.name) && section.settings.length > 0;
        if (!enabled && !listed) continue;
        warnings.push({
          location: { file, ...section.location },
          message: `${settings.profile}\\${section.name} ${listed ? 'lists' : 'enables'} an exception of the legacy Windows Firewall policy, which still opens ports: it is not read`,
        });
      }
    }
  }
}

/** Other rule collections of a store (service hardening, MDM) hold rules that are enforced too; they are not read. */
function warnOtherRuleSets(placed: Placed[], warnings: Diagnostic[]): void {
  for (const { file, policy } of placed) {
    const others = policy.other.filter((o) => /FirewallRules|RestrictedServices|(^|\\)Mdm(\\|$)/i.test(o.name));
    if (others.length === 0) continue;
    warnings.push({
      location: { file, ...others[0].location },
      message: `${policy.name} also holds ${others.map((o) => o.name).join(', ')} (service hardening or MDM rules, which Windows enforces too): they are not read`,
    });
  }
}
