/**
 * Every kind of finding in one place, as ESLint keeps a rule's metadata with the rule: its
 * default severity, how its messages read, and how code-scanning services describe it (SARIF
 * reporting descriptors, with the help text GitHub shows beside an alert).
 */
import type { FindingKind, Severity } from './types';

export interface FindingKindMeta {
  severity: Severity;
  /** The SARIF rule name (PascalCase, as SARIF recommends). */
  name: string;
  /** One line: what is wrong. */
  summary: string;
  /** A paragraph: what the finding means and what its witness shows. */
  description: string;
  /** What to do about it, in Markdown (GitHub renders it next to the alert). */
  help: string;
}

/** In the order SARIF lists them (their rule indices): keep it. */
export const FINDING_KINDS: Readonly<Record<FindingKind, FindingKindMeta>> = {
  missing: {
    severity: 'high',
    name: 'MissingRequiredFlow',
    summary: 'A required flow is denied',
    description:
      'The firewall drops or rejects some or all packets of a flow that the port matrix requires. The witness is one such packet.',
    help: [
      'A flow the port matrix requires is denied, entirely or partly; the location is the rule or default policy that denies it, and the witness is one packet it drops.',
      '',
      'To fix it, allow the flow before that rule decides: add or widen a rule that accepts new connections from the source role to the destination role on the required protocol and port, or remove the rule that denies them.',
      'Run `fwmatrix trace` with the witness to see every rule the packet meets. If the site does not need the flow, mark the requirement `optional` in the deployment file.',
    ].join('\n'),
  },
  'overly-broad': {
    severity: 'medium',
    name: 'OverlyBroadRule',
    summary: 'A rule lets through more than the required flows it serves',
    description:
      "A rule that lets a required flow through also lets through traffic, to or from the matrix's roles, that the matrix does not require. The witness is one such packet.",
    help: [
      'The rule serves required flows, but it also accepts new connections that no required flow needs; the message quantifies the excess (sources, destinations, protocols, ports) and the witness is one such packet.',
      '',
      'Narrow the rule to the required sources, destinations and ports, or split it into one rule per required flow.',
    ].join('\n'),
  },
  extraneous: {
    severity: 'medium',
    name: 'ExtraneousRule',
    summary: 'A rule lets through traffic that no required flow needs',
    description: "A rule lets through traffic to or from the matrix's roles and serves no required flow. The witness is one such packet.",
    help: [
      "The rule accepts new connections to or from the matrix's roles, and none of them belongs to a required flow. The witness is one such packet.",
      '',
      'Remove the rule, or narrow it to what the site needs; if the traffic is wanted for another reason, waive the finding with that reason (`--waivers`).',
    ].join('\n'),
  },
  shadowed: {
    severity: 'low',
    name: 'ShadowedRule',
    summary: 'A rule can never match',
    description:
      'Every packet that could match the rule is decided by rules that come before it or take precedence over it, so the rule has no effect.',
    help: [
      'No packet can reach this rule and match it: rules before it (or of higher precedence) decide every packet it could match, or nothing leads to its chain.',
      '',
      'Delete the rule, or move it before the rules that decide its packets if it was meant to take effect.',
    ].join('\n'),
  },
  undetermined: {
    severity: 'medium',
    name: 'UndeterminedFlow',
    summary: 'Whether a required flow is allowed cannot be told from the configuration',
    description:
      'The verdict on a required flow depends on something the configuration does not say: an unmodelled match module, a schedule, an FQDN or URL-table alias, a program-limited rule. The message names it.',
    help: [
      'fwmatrix cannot tell whether the firewall lets this required flow through: the verdict depends on something the configuration does not decide, which the message names with its rule.',
      '',
      'Give fwmatrix what decides it where the deployment file can (an `ipsets:` file, the host addresses, the networks behind each interface, an ip6tables-save file for IPv6 flows), or rewrite the rule so that it decides by addresses, protocols and ports alone.',
    ].join('\n'),
  },
  unfiltered: {
    severity: 'high',
    name: 'FilteringDisabled',
    summary: 'The firewall does not filter this traffic at all',
    description:
      'The configuration turns packet filtering off where the traffic passes (a Windows Firewall profile that is disabled, pf with filtering disabled): every packet is let through.',
    help: [
      'The configuration switches filtering off for this traffic, so every packet passes whatever the rules say; the location is the setting that does it.',
      '',
      'Turn the firewall on (Windows: `EnableFirewall` for the profile; pfSense: clear "Disable all packet filtering"), then audit again: the rules only take effect once it is on.',
    ].join('\n'),
  },
  'not-loaded': {
    severity: 'medium',
    name: 'RuleNotLoaded',
    summary: 'A rule that would let a denied required flow through is not loaded by the firewall',
    description:
      'The configuration writes a rule that would let packets of a required flow through, but the firewall does not load it (it names an alias that is not defined, an interface that is not enabled, …), so the flow is denied. The witness is one such packet.',
    help: [
      'The rule at the location would let this required flow through, but the firewall leaves it out when it loads its rules; the message says why. The witness is one packet the rule would pass and the firewall drops.',
      '',
      'Fix what keeps the rule from loading (define the alias, enable the interface, correct the address), or write the rule the flow needs in its place.',
    ].join('\n'),
  },
};

export const FINDING_KIND_IDS = Object.keys(FINDING_KINDS) as FindingKind[];
