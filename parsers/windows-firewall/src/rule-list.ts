/**
 * A plain file of rule strings, one a line (as `reg query` values or a script hold them):
 * blank lines and lines starting with `#` or `;` are comments.
 */
import type { FirewallPolicy, ParseWarning } from './ast';
import { parseRuleString } from './rule-string';

export interface RuleListPolicies {
  policies: FirewallPolicy[];
  warnings: ParseWarning[];
}

/**
 * @throws WindowsFirewallSyntaxError at the first line that is not a rule string.
 */
export function parseRuleList(text: string): RuleListPolicies {
  const warnings: ParseWarning[] = [];
  const policy: FirewallPolicy = {
    source: 'rule-list',
    name: 'rule strings',
    location: { line: 1 },
    global: [],
    profiles: [],
    rules: [],
    other: [],
  };
  text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .forEach((raw, index) => {
      const source = raw.replace(/\r$/, '');
      const trimmed = source.trim();
      if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
      const start = source.length - source.trimStart().length;
      policy.rules.push(parseRuleString(trimmed, { line: index + 1, columnOf: (offset) => start + offset + 1 }, warnings));
    });
  return { policies: [policy], warnings };
}
