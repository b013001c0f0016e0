/**
 * The firewall stores in a registry export: the policy store Group Policy writes
 * (HKLM\SOFTWARE\Policies\Microsoft\WindowsFirewall, MS-GPFAS 2.2) and the local store
 * (HKLM\SYSTEM\…\Services\SharedAccess\Parameters\FirewallPolicy), each with its global values,
 * profile keys and FirewallRules values.
 */
import {
  type FirewallPolicy,
  type FirewallRule,
  type NamedSetting,
  type ParseWarning,
  type PolicySource,
  type ProfileKey,
  WindowsFirewallSyntaxError,
} from './ast';
import { buildProfileSettings, profileKey } from './profile-settings';
import { type RegistryExport, type RegistryKey, type RegistryValue, parseRegistryExport, stringColumn } from './reg-file';
import { parseRuleString } from './rule-string';

const STORE_ROOTS: { source: PolicySource; pattern: RegExp }[] = [
  { source: 'policy-store', pattern: /^(HKEY_LOCAL_MACHINE\\(?:[^\\]+\\)*?Policies\\Microsoft\\WindowsFirewall)(?:\\(.*))?$/i },
  {
    source: 'local-store',
    pattern: /^(HKEY_LOCAL_MACHINE\\(?:[^\\]+\\)*?Services\\SharedAccess\\Parameters\\FirewallPolicy)(?:\\(.*))?$/i,
  },
];

export interface RegistryPolicies {
  registry: RegistryExport;
  policies: FirewallPolicy[];
  warnings: ParseWarning[];
}

/**
 * Parses a registry export and reads the firewall stores in it.
 *
 * @throws WindowsFirewallSyntaxError where the file is not a registry export regedit imports, a
 *   store value is not what MS-GPFAS says it is, or the export holds no firewall store.
 */
export function parseRegistryPolicies(text: string): RegistryPolicies {
  const warnings: ParseWarning[] = [];
  const registry = parseRegistryExport(text, warnings);
  const stores = new Map<string, { source: PolicySource; root: string; keys: { key: RegistryKey; relative: string }[] }>();
  for (const key of registry.keys) {
    const store = storeOf(key.path);
    if (!store) {
      if (/\\Policies\\Microsoft\\WindowsFirewall(\\|$)/i.test(key.path)) {
        warnings.push({
          location: key.location,
          message: `${key.path}: Windows reads firewall policy from HKEY_LOCAL_MACHINE only; this key is not read`,
        });
      }
      continue;
    }
    const id = `${store.source}:${store.root.toLowerCase()}`;
    const entry = stores.get(id) ?? { source: store.source, root: store.root, keys: [] };
    entry.keys.push({ key, relative: store.relative });
    stores.set(id, entry);
  }
  if (stores.size === 0) {
    throw new WindowsFirewallSyntaxError(
      { line: 1 },
      'expected keys of the Windows Firewall policy store (HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall) or local store (HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy); this export has neither',
    );
  }
  const policies = [...stores.values()].map((store) => readStore(store.source, store.root, store.keys, warnings));
  return { registry, policies, warnings };
}

function storeOf(path: string): { source: PolicySource; root: string; relative: string } | undefined {
  for (const { source, pattern } of STORE_ROOTS) {
    const match = pattern.exec(path);
    if (match) return { source, root: match[1], relative: match[2] ?? '' };
  }
  return undefined;
}

function readStore(
  source: PolicySource,
  root: string,
  keys: { key: RegistryKey; relative: string }[],
  warnings: ParseWarning[],
): FirewallPolicy {
  const policy: FirewallPolicy = { source, name: root, location: keys[0].key.location, global: [], profiles: [], rules: [], other: [] };
  /** A profile key exists once any key at or under it does; its own values are those of the key itself. */
  const byProfile = new Map<ProfileKey, { own?: RegistryKey; first: RegistryKey; sections: { key: RegistryKey; name: string }[] }>();
  for (const { key, relative } of keys) {
    const parts = relative === '' ? [] : relative.split('\\');
    if (parts.length === 0) {
      policy.location = key.location;
      policy.global.push(...key.values.map(namedSetting));
      continue;
    }
    const profile = profileKey(parts[0]);
    if (profile) {
      const entry = byProfile.get(profile) ?? { first: key, sections: [] };
      if (parts.length === 1) entry.own = key;
      else entry.sections.push({ key, name: parts.slice(1).join('\\') });
      byProfile.set(profile, entry);
      continue;
    }
    if (parts.length === 1 && parts[0].toLowerCase() === 'firewallrules') {
      policy.rules.push(...key.values.map((value) => readRuleValue(value, key, warnings)));
      continue;
    }
    policy.other.push({ name: relative, location: key.location });
  }
  for (const [profile, { own, first, sections }] of byProfile) {
    policy.profiles.push(
      buildProfileSettings(
        source,
        profile,
        (own ?? first).location,
        own ? own.values.map(namedSetting) : [],
        sections.map((section) => ({ name: section.name, location: section.key.location, settings: section.key.values.map(namedSetting) })),
        warnings,
      ),
    );
  }
  return policy;
}

function namedSetting(value: RegistryValue): NamedSetting {
  const data = value.data;
  return { name: value.name, value: data.type === 'hex' ? data.text : data.value, location: value.location };
}

/** A FirewallRules value: its name is the rule's id, its data a REG_SZ rule string. */
function readRuleValue(value: RegistryValue, key: RegistryKey, warnings: ParseWarning[]): FirewallRule {
  if (value.name === '') {
    throw new WindowsFirewallSyntaxError(value.location, `expected named rule values in ${key.path}: the default value @ holds no rule`);
  }
  const data = value.data;
  if (data.type !== 'string') {
    throw new WindowsFirewallSyntaxError(
      value.location,
      `expected "${value.name}" to be a REG_SZ rule string (MS-GPFAS 2.2.2.19: the type MUST be REG_SZ)`,
    );
  }
  return parseRuleString(
    data.value,
    { line: value.location.line, columnOf: (offset) => stringColumn(data, offset), id: value.name },
    warnings,
  );
}
