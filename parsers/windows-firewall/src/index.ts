export * from './ast';
export { RULE_KEYS } from './catalog';
export { parseRuleString, type RuleStringPlace } from './rule-string';
export { parseRegistryExport, type RegistryData, type RegistryExport, type RegistryKey, type RegistryValue } from './reg-file';
export { parseRegistryPolicies, type RegistryPolicies } from './registry-policy';
export { parseRuleList, type RuleListPolicies } from './rule-list';
export { recognizeUnusableExport } from './unusable';
export { parseWindowsFirewallText, type WindowsFirewallText } from './text';
