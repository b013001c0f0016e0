/**
 * Per-profile settings (MS-GPFAS 2.2.3) from named values, wherever they come from: a registry
 * key's values or a GPO report's profile element. The meaning of each value is Microsoft's:
 * EnableFirewall 1 is on; DefaultInboundAction / DefaultOutboundAction 0 allows and 1 blocks.
 */
import {
  type Location,
  type NamedSetting,
  type ParseWarning,
  type PolicySource,
  type ProfileKey,
  type ProfileSettings,
  type Setting,
  WindowsFirewallSyntaxError,
} from './ast';

/**
 * Settings MS-GPFAS says "MUST NOT be present on StandardProfile" of the policy store. The local
 * store keeps the private profile under StandardProfile, with all its settings.
 */
const NOT_ON_STANDARD_PROFILE = new Set([
  'allowlocalpolicymerge',
  'allowlocalipsecpolicymerge',
  'defaultinboundaction',
  'defaultoutboundaction',
  'disabledinterfaces',
]);

const PROFILE_KEYS = new Map<string, ProfileKey>(
  (['DomainProfile', 'PrivateProfile', 'PublicProfile', 'StandardProfile'] as const).map((key) => [key.toLowerCase(), key]),
);

/** The profile key a name stands for (any case), if it is one. */
export function profileKey(name: string): ProfileKey | undefined {
  return PROFILE_KEYS.get(name.toLowerCase());
}

/** A setting's value as its source wrote it: a DWORD number, or `true`/`false` from a GPO report. */
export type SettingInput = Omit<NamedSetting, 'value'> & { value: string | number | boolean };

function fail(location: Location, expected: string): never {
  throw new WindowsFirewallSyntaxError(location, expected);
}

function onOff(setting: SettingInput): boolean {
  if (setting.value === 0 || setting.value === 1) return setting.value === 1;
  if (typeof setting.value === 'boolean') return setting.value;
  return fail(setting.location, `expected ${setting.name} to be 0 or 1 (a DWORD), not ${JSON.stringify(setting.value)}`);
}

function located<T>(setting: SettingInput, value: T): Setting<T> {
  return { value, location: setting.location, ...(setting.origin ? { origin: setting.origin } : {}) };
}

/** INTERFACES_VAL = [ *1INTF_FIELD / INTF_FIELD 1*INTF_FIELD_SEQ ], INTF_FIELD = "{" GUID "}". */
function interfaceList(setting: SettingInput): string[] {
  if (typeof setting.value !== 'string') return fail(setting.location, 'expected DisabledInterfaces to be a string of {GUID},{GUID}…');
  if (setting.value === '') return [];
  const guids = setting.value.split(',');
  for (const guid of guids) {
    if (!/^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$/.test(guid)) {
      fail(setting.location, `expected DisabledInterfaces to list {GUID}s separated by commas, not "${guid}"`);
    }
  }
  return guids;
}

/** A setting as NamedSetting: a GPO report's booleans as written (`true`, `false`). */
export function asNamedSetting(input: SettingInput): NamedSetting {
  return { ...input, value: typeof input.value === 'boolean' ? String(input.value) : input.value };
}

export function buildProfileSettings(
  source: PolicySource,
  profile: ProfileKey,
  location: Location,
  inputs: SettingInput[],
  sections: ProfileSettings['sections'],
  warnings: ParseWarning[],
): ProfileSettings {
  const settings: ProfileSettings = {
    profile,
    location,
    settings: inputs.map(asNamedSetting),
    sections,
  };
  for (const input of winners(inputs, profile, warnings)) {
    const name = input.name.toLowerCase();
    if (profile === 'StandardProfile' && source !== 'local-store' && NOT_ON_STANDARD_PROFILE.has(name)) {
      warnings.push({
        location: input.location,
        message: `${input.name} is not read from StandardProfile (MS-GPFAS 2.2.3: it MUST NOT be present there)`,
      });
      continue;
    }
    switch (name) {
      case 'enablefirewall':
        settings.enableFirewall = located(input, onOff(input));
        break;
      case 'defaultinboundaction':
        settings.defaultInboundAction = located(input, onOff(input) ? 'Block' : 'Allow');
        break;
      case 'defaultoutboundaction':
        settings.defaultOutboundAction = located(input, onOff(input) ? 'Block' : 'Allow');
        break;
      case 'allowlocalpolicymerge':
        settings.allowLocalPolicyMerge = located(input, onOff(input));
        break;
      case 'allowlocalipsecpolicymerge':
        settings.allowLocalIPsecPolicyMerge = located(input, onOff(input));
        break;
      case 'donotallowexceptions':
        settings.doNotAllowExceptions = located(input, onOff(input));
        break;
      case 'disabledinterfaces':
        settings.disabledInterfaces = located(input, interfaceList(input));
        break;
    }
  }
  return settings;
}

/**
 * One input per setting name. An RSoP report may list a setting once per GPO that sets it: the
 * one of precedence 1 (the lowest number) is in force. Anywhere else a setting given twice is refused.
 */
function winners(inputs: SettingInput[], profile: ProfileKey, warnings: ParseWarning[]): SettingInput[] {
  const byName = new Map<string, SettingInput>();
  for (const input of inputs) {
    const name = input.name.toLowerCase();
    const held = byName.get(name);
    if (!held) {
      byName.set(name, input);
      continue;
    }
    const [heldRank, rank] = [held.origin?.precedence, input.origin?.precedence];
    if (heldRank === undefined || rank === undefined) {
      fail(input.location, `${input.name} appears twice in ${profile} (also at line ${held.location.line}); a GPO sets it once`);
    }
    if (rank === heldRank && input.value !== held.value) {
      warnings.push({
        location: input.location,
        message: `${input.name} has two values of precedence ${rank} in ${profile} (also at line ${held.location.line}); the first is taken`,
      });
    }
    if (rank < heldRank) byName.set(name, input);
  }
  return [...byName.values()];
}
