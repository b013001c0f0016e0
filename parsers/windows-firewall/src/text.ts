/** A text export of either kind: a registry export, or a plain list of rule strings. */
import { type FirewallPolicy, type ParseWarning, WindowsFirewallSyntaxError } from './ast';
import { REGEDIT4_HEADER, REGEDIT5_HEADER, type RegistryExport } from './reg-file';
import { parseRegistryPolicies } from './registry-policy';
import { parseRuleList } from './rule-list';

export interface WindowsFirewallText {
  kind: 'registry-export' | 'rule-list';
  /** The registry export's keys, for a registry export. */
  registry?: RegistryExport;
  policies: FirewallPolicy[];
  warnings: ParseWarning[];
}

/**
 * Reads a registry export (by its header) or a list of rule strings (by a first line starting
 * with v<digit>).
 *
 * @throws WindowsFirewallSyntaxError where the text is neither, or stops following its grammar.
 */
export function parseWindowsFirewallText(text: string): WindowsFirewallText {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  const index = lines.findIndex((line) => line.trim() !== '' && !line.trim().startsWith(';') && !line.trim().startsWith('#'));
  const first = index >= 0 ? lines[index].trim() : '';
  if (first === REGEDIT5_HEADER || first === REGEDIT4_HEADER) {
    const { registry, policies, warnings } = parseRegistryPolicies(text);
    return { kind: 'registry-export', registry, policies, warnings };
  }
  if (/^v\d/i.test(first)) return { kind: 'rule-list', ...parseRuleList(text) };
  throw new WindowsFirewallSyntaxError(
    { line: index >= 0 ? index + 1 : 1, column: 1 },
    `expected a registry export (first line "${REGEDIT5_HEADER}") or rule strings one a line (such as v2.31|Action=Allow|Dir=In|…|)`,
  );
}
