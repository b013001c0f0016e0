/** What an audit produces: per firewall and requirement a status, and findings with witnesses. */
import type { SourceRef } from '../model/policy';
import type { FlowChange } from './compare';

export type Status = 'allowed' | 'partial' | 'denied' | 'undetermined' | 'not-applicable';
export type FindingKind = 'missing' | 'overly-broad' | 'extraneous' | 'shadowed' | 'undetermined' | 'unfiltered' | 'not-loaded';
export type Severity = 'high' | 'medium' | 'low';

export const SEVERITY_RANK: Readonly<Record<Severity | 'none', number>> = { none: 0, low: 1, medium: 2, high: 3 };

/** One concrete packet, the first of a new connection. */
export interface Witness {
  src: string;
  dst: string;
  proto: string;
  sport?: number;
  dport?: number;
  icmpType?: number;
  icmpCode?: number;
  /** Interfaces, where the firewall's rules name them. */
  in?: string;
  out?: string;
  /** The enforcement point the packet crosses (its id: INPUT, FORWARD, OUTPUT, lan-in, …). */
  chain?: string;
}

/**
 * A rule that almost serves a denied required flow, and why it does not: the condition that fails
 * (a packet dimension: `state`, `dport`, `src`, …; `order` when an earlier rule decides first;
 * `variant` when it applies in another profile), in words, with a change that would serve it.
 */
export interface RemediationHint {
  rule: SourceRef;
  condition: string;
  says: string;
  suggestion?: string;
}

export interface ErratumRef {
  id: string;
  title: string;
}

export interface RequirementResult {
  firewall: string;
  /** The variant of the firewall the result holds in (a Windows profile), when its points have variants. */
  variant?: string;
  requirement: string;
  status: Status;
  decidedBy: SourceRef[];
  witness: Witness | null;
  /** What the flow is, in words: "tcp/5061 from edge-internal to director". */
  flow: string;
  /** Why the status is undetermined (each names a rule), or why the flow does not apply. */
  reasons: string[];
  errata: ErratumRef[];
  optional?: boolean;
}

export interface Finding {
  fingerprint: string;
  kind: FindingKind;
  severity: Severity;
  firewall: string;
  /** As in RequirementResult. */
  variant?: string;
  requirement: string | null;
  rule: SourceRef | null;
  witness: Witness | null;
  message: string;
  /** For a missing flow: the rules that almost serve it, and what to change. */
  hints?: RemediationHint[];
  errata?: ErratumRef[];
  /** Set when a waiver or the baseline covers the finding. */
  suppressedBy?: string;
}

export interface FirewallSummary {
  name: string;
  type: string;
  file: string;
  files?: string[];
  rules: number;
  placement: 'host' | 'network';
}

/** Something a parser or normalizer noticed in a configuration and did not stop on (an option ignored, a rule the firewall drops). */
export interface ConfigWarning {
  firewall: string;
  file: string;
  line?: number;
  /** For XML inputs: an XPath-like locator. */
  path?: string;
  message: string;
}

/**
 * A waiver and what became of it: `applied` (it suppressed `matches` findings), `expired` (its
 * date has passed: the findings it matches count again), `stale` (it matches no finding).
 */
export interface WaiverStatus {
  fingerprint?: string;
  requirement?: string;
  firewall?: string;
  kind?: FindingKind;
  reason: string;
  expires?: string;
  file: string;
  line?: number;
  status: 'applied' | 'expired' | 'stale';
  /** The findings of this run it matches (an expired waiver's no longer suppressed). */
  matches: number;
}

/** A file the audit read, as evidence: where it is and its SHA-256 digest. */
export interface FileDigest {
  file: string;
  sha256: string;
  bytes: number;
}

/** What makes a report usable as evidence: when it ran, on which files (with digests), against which matrix and threshold. */
export interface AuditEvidence {
  /** When the audit ran, ISO 8601 in UTC. */
  generatedAt: string;
  /** The deployment file; null when one configuration was audited on its own. */
  deployment: FileDigest | null;
  /** Every configuration file (and file a firewall's options name) the audit read. */
  inputs: (FileDigest & { firewall: string; kind: string })[];
  /** The matrix file (a built-in one is part of fwmatrix). */
  matrix: FileDigest;
  waivers?: FileDigest;
  baseline?: FileDigest;
}

export interface AuditReport {
  schemaVersion: 1;
  tool: { name: 'fwmatrix'; version: string };
  verdict: 'pass' | 'fail';
  failOn: Severity | 'none';
  matrix: { id: string; title: string; version?: string };
  evidence: AuditEvidence;
  /** How the deployment defined `any`, when it did. */
  roles: { id: string; addresses: string[] }[];
  firewalls: FirewallSummary[];
  /** Firewalls whose configuration could not be used, and why: the others are audited all the same. */
  errors: ConfigWarning[];
  warnings: ConfigWarning[];
  results: RequirementResult[];
  findings: Finding[];
  suppressed: Finding[];
  /** Every waiver of --waivers, with its status. */
  waivers: WaiverStatus[];
  /** What each kind of finding in the report means and how to fix it (Markdown), by kind. */
  help: Partial<Record<FindingKind, string>>;
  errata: { id: string; title: string; text: string }[];
}

export interface FindingChanges {
  /** Findings of AFTER that BEFORE does not have. */
  introduced: Finding[];
  /** Findings of BEFORE that AFTER no longer has. */
  fixed: Finding[];
  /** How many findings both have. */
  unchanged: number;
}

/** What `fwmatrix diff` reports: the flows a change alters and, with a matrix, the findings it introduces and fixes. */
export interface DiffReport {
  schemaVersion: 1;
  tool: { name: 'fwmatrix'; version: string };
  verdict: 'pass' | 'fail';
  failOn: Severity | 'none';
  before: string;
  after: string;
  /** What BEFORE and AFTER stand for: a deployment's firewall, a matrix. */
  subject?: string;
  changes: FlowChange[];
  /** Present when there was a matrix to audit against. */
  findings?: FindingChanges;
}
