/**
 * fwmatrix's public API: what the command line does, for Node programs. Audit a deployment (or
 * one configuration), trace packets, diff two configurations, load a configuration, and render
 * any of it in the report formats of `--format`.
 */
export {
  auditDeployment,
  auditConfiguration,
  auditReport,
  auditLoadedFirewalls,
  loadFirewall,
  type LoadedFirewall,
  loadDeploymentFile,
  deploymentOf,
  type ConfigurationTarget,
  type JudgeOptions,
} from './app/audit';
export { diffConfigurations, compareFindings, type DiffOptions, type DiffReport, type FindingChanges } from './app/diff';
export { traceConfiguration, traceProbe, parseProbe, type Probe, type TraceOptions, type TraceOutput } from './app/trace';
export { VERSION } from './app/version';

export {
  loadConfig as loadConfiguration,
  CONFIG_TYPES,
  FORMATS,
  type LoadedConfig,
  type LoadOptions,
  type ConfigFormat,
} from './normalize';
export { builtinMatrices, builtinMatrixIds, loadMatrix, type Matrix, type Requirement, type Role, type Erratum } from './matrix';

export { REPORT_FORMATS, renderReport, renderText, type ReportFormat } from './report';
export { renderDiff, DIFF_FORMATS, type DiffFormat } from './report/diff';
export { renderTraceText } from './report/trace';
export { renderModelJson } from './report/model';

export type {
  AuditReport,
  ConfigWarning,
  Finding,
  FindingKind,
  FirewallSummary,
  RequirementResult,
  Severity,
  Status,
  Witness,
} from './audit/types';
export type { FlowChange, ChangeKind, Decision } from './audit/compare';
export { FINDING_KINDS, type FindingKindMeta } from './audit/finding-kinds';
export type { TraceResult, TraceStep } from './engine/trace';
export type { EnforcementPoint, PolicyProgram, DecisionChain, DecisionRule, SourceRef, Traffic } from './model/policy';
export { InputError, formatDiagnostic, type Diagnostic, type Location } from './model/errors';
