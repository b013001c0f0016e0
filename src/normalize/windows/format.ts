/**
 * Windows Firewall policy: Group Policy and RSoP XML reports (`windows-gpo`), and reg export
 * files of the policy or local store or plain lists of rule strings (`windows-reg`).
 */
import {
  type FirewallPolicy,
  type ParseWarning,
  WindowsFirewallSyntaxError,
  parseGpoReport,
  parseWindowsFirewallText,
  recognizeUnusableExport,
} from '../../../parsers/windows-firewall/src';
import { InputError, type Diagnostic } from '../../model/errors';
import type { ConfigFormat, NormalizeContext, Normalized, SourceFile } from '../format';
import { effectivePolicy, type ExportedPolicies } from './effective';
import { WINDOWS_OPTIONS, windowsOptions } from './options';
import { windowsPrograms } from './program';

/** The report's namespace, declared under any prefix (an XML name) and in either quotes. */
const GROUP_POLICY_NAMESPACE = /xmlns(:[\w.-]+)?\s*=\s*(["'])http:\/\/www\.microsoft\.com\/GroupPolicy\/(Settings|Rsop)\2/;
/** The report's root, with or without a prefix. */
const GROUP_POLICY_ROOT = /<([\w.-]+:)?(GPO|Rsop|report)[\s>]/;

export const WINDOWS_GPO_FORMAT: ConfigFormat = {
  type: 'windows-gpo',
  title: 'a Windows Group Policy or RSoP XML report (Get-GPOReport -ReportType Xml, gpresult /x)',
  placement: 'host',
  options: WINDOWS_OPTIONS,
  detect: (head) =>
    (GROUP_POLICY_ROOT.test(head) && GROUP_POLICY_NAMESPACE.test(head)) ||
    (/^\s*<(!DOCTYPE\s+)?html/i.test(head) && /Group Policy|GPO/.test(head)),
  load: (sources, context) =>
    loadWindows(
      sources,
      context,
      (text) => parseGpoReport(text),
      'a Windows Firewall extension (namespace http://www.microsoft.com/GroupPolicy/Settings/WindowsFirewall)',
    ),
};

export const WINDOWS_REG_FORMAT: ConfigFormat = {
  type: 'windows-reg',
  title: 'a reg export of the Windows Firewall policy or local store, or Windows Firewall rule strings one a line',
  placement: 'host',
  options: WINDOWS_OPTIONS,
  detect: (head) =>
    /^\s*(Windows Registry Editor Version 5\.00|REGEDIT4)\s*$/m.test(head.slice(0, 200)) ||
    /^\s*v\d{1,3}\.\d{1,3}\|[A-Za-z0-9_]+=/m.test(head) ||
    /^(regf|PReg)/.test(head),
  load: (sources, context) => loadWindows(sources, context, (text) => parseWindowsFirewallText(text), 'firewall rules or profile settings'),
};

function loadWindows(
  sources: SourceFile[],
  context: NormalizeContext,
  parse: (text: string) => { policies: FirewallPolicy[]; warnings: ParseWarning[] },
  expected: string,
): Normalized {
  const options = windowsOptions(context.options, context.interfaces);
  const warnings: Diagnostic[] = [];
  const trees: { file: string; tree: unknown }[] = [];
  const exports: ExportedPolicies[] = [];
  for (const { file, text } of sources) {
    const unusable = recognizeUnusableExport(text);
    if (unusable) throw new InputError([{ location: { file, line: 1 }, message: unusable }]);
    const parsed = located(file, () => parse(text));
    if (parsed.policies.length === 0)
      throw new InputError([{ location: { file, line: 1 }, message: `expected ${expected}; this file has none` }]);
    warnings.push(...parsed.warnings.map((w) => ({ location: { file, ...w.location }, message: w.message })));
    trees.push({ file, tree: parsed });
    exports.push({ file, policies: parsed.policies });
  }
  const effective = effectivePolicy(exports, options.profiles, warnings);
  return { programs: windowsPrograms(effective, options, context.interfaceNames, warnings), trees, warnings };
}

function located<T>(file: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof WindowsFirewallSyntaxError)
      throw new InputError([{ location: { file, ...error.location }, message: error.expected }]);
    throw error;
  }
}
