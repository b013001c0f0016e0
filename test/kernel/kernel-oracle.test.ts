/**
 * fwmatrix's iptables semantics against the real Linux kernel: for seeded random rule sets (IPv4
 * and IPv6) and every real configuration the kernel loads, probes aimed at the rules' edges are sent
 * through netfilter in throw-away namespaces and through `fwmatrix trace --probes`; any probe the
 * kernel accepts and fwmatrix does not (or the other way round) fails the test.
 *
 * FWMATRIX_ORACLE_SEED and FWMATRIX_ORACLE_SETS (rule sets per family, and half as many of marks
 * alone) run other or more sets.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REAL_CONFIGS_DIR, REPO_ROOT } from '../helpers/paths';
import {
  DOCUMENTATION_PREFIXES,
  PROBE_INTERFACES,
  type AddressRange,
  FEATURE_CLASSES,
  boundaryProbes,
  formatAddress,
  hasFeature,
  generateMarkRuleset,
  generateRuleset,
  inRange,
  prefixRange,
} from './generate';
import { type Backend, type Family, type KernelVerdict, type Probe, kernelTestGate, kernelVerdicts, restoreAccepts } from './netns';

const gate = kernelTestGate();
const BASE_SEED = Number(process.env.FWMATRIX_ORACLE_SEED ?? 20240611);
const SETS_PER_FAMILY = Number(process.env.FWMATRIX_ORACLE_SETS ?? 16);
const MARK_SETS_PER_FAMILY = Math.ceil(SETS_PER_FAMILY / 2);
const PROBES_PER_GENERATED_SET = 40;
const PROBES_PER_REAL_FILE = 120;
const MIN_COMPARED_PROBES = 1000;
const MAX_UNDETERMINED_SHARE_OF_GENERATED = 0.05;
const SHOWN_FAILURES = 20;
/** Compared probes of generated rule sets, per family, that each feature class must have been tested on. */
const MIN_PROBES_PER_FEATURE = 15;

interface TraceResult {
  verdict: 'accept' | 'drop' | 'reject' | 'undetermined';
  decidedBy: unknown;
  steps: { table: string; text: string; matched: boolean | 'unknown' }[];
}

interface RulesetCase {
  label: string;
  family: Family;
  backend: Backend;
  /** The rule set's file for fwmatrix; generated ones are written to a temporary folder. */
  file: string;
  /** Shown with a disagreement: the text of a generated set, the path of a real one. */
  shown: string;
  generated: boolean;
  probes: Probe[];
}

interface Tally {
  generatedRuleSets: number;
  realRuleSets: number;
  compared: number;
  comparedBy: Record<string, number>;
  undetermined: number;
  generatedProbes: number;
  generatedUndetermined: number;
  disagreements: number;
  /** Disagreements, and rule sets that fwmatrix or the harness failed on. */
  failures: string[];
  undeterminedLines: string[];
  skippedFiles: string[];
  /** Compared probes of generated rule sets tested against a rule of each feature class (or table), per family. */
  featureProbes: Record<string, number>;
}

const tally: Tally = {
  generatedRuleSets: 0,
  realRuleSets: 0,
  compared: 0,
  comparedBy: {},
  undetermined: 0,
  generatedProbes: 0,
  generatedUndetermined: 0,
  disagreements: 0,
  failures: [],
  undeterminedLines: [],
  skippedFiles: [],
  featureProbes: {},
};

/** Counts the feature classes and the tables of the rules a compared probe was tested against. */
function countFeatures(family: Family, trace: TraceResult, probe: Probe): void {
  const seen = new Set<string>();
  // Replies, errors and neighbour discovery: INVALID or UNTRACKED to conntrack, not NEW.
  if (probe.icmpType !== undefined && ![8, 13, 15, 17, 128, 139].includes(probe.icmpType)) seen.add('ICMP opening no connection');
  let written = false;
  let untracked = false;
  for (const step of trace.steps) {
    if (/-m (?:conn)?mark /.test(step.text) && written) seen.add('mark or connmark read after a writer');
    if (/-j CONNMARK |-m connmark /.test(step.text) && untracked) seen.add('CONNMARK or connmark after NOTRACK');
    written ||= step.matched === true && /-j (?:CONN)?MARK /.test(step.text);
    untracked ||= step.matched === true && /-j NOTRACK|--notrack/.test(step.text);
    if (step.table === 'raw' || step.table === 'mangle') seen.add(`${step.table} rules`);
    if (step.table === 'raw' && /-m (?:state|conntrack|connmark) /.test(step.text)) seen.add('conntrack matches in raw');
    for (const feature of Object.keys(FEATURE_CLASSES)) if (hasFeature(feature, step.text)) seen.add(feature);
  }
  for (const feature of seen) tally.featureProbes[`IPv${family} ${feature}`] = (tally.featureProbes[`IPv${family} ${feature}`] ?? 0) + 1;
}

/** Runs `fwmatrix trace FILE --probes PROBES --type iptables` and reads one JSON result a probe. */
async function fwmatrixTrace(workDir: string, ruleset: RulesetCase): Promise<TraceResult[]> {
  const probesFile = path.join(workDir, `${ruleset.label.replace(/[^\w.-]+/g, '_')}.probes.jsonl`);
  fs.writeFileSync(probesFile, ruleset.probes.map((probe) => JSON.stringify(probe)).join('\n') + '\n');
  const args = [path.join(REPO_ROOT, 'bin', 'fwmatrix.js'), 'trace', ruleset.file, '--probes', probesFile, '--type', 'iptables'];
  const { status, stdout, stderr } = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code, stdout: out, stderr: err }));
  });
  const command = `node ${args.map((arg) => path.relative(REPO_ROOT, arg) || arg).join(' ')}`;
  const problem = (what: string): Error =>
    new Error(`${command}: ${what}\nstderr: ${stderr.trim()}\nstdout (start): ${stdout.slice(0, 500)}`);
  if (status !== 0) throw problem(`exit code ${status}, expected 0`);
  const lines = stdout.split('\n').filter((line) => line.trim() !== '');
  if (lines.length !== ruleset.probes.length) throw problem(`${lines.length} result lines for ${ruleset.probes.length} probes`);
  return lines.map((line, i) => {
    try {
      return JSON.parse(line) as TraceResult;
    } catch {
      throw problem(`line ${i + 1} is not JSON: ${line}`);
    }
  });
}

function describeKernel(verdict: KernelVerdict, probe: Probe): string {
  if (verdict.accepted) return 'accepted';
  if (!verdict.reachedChain) return `not accepted: dropped before ${probe.chain} (raw, mangle or nat PREROUTING)`;
  return `not accepted: dropped or rejected in ${probe.chain}`;
}

async function compare(workDir: string, ruleset: RulesetCase): Promise<void> {
  // fwmatrix and the kernel work at the same time.
  const [traced, observed] = await Promise.allSettled([
    fwmatrixTrace(workDir, ruleset),
    kernelVerdicts(fs.readFileSync(ruleset.file, 'utf8'), ruleset.family, ruleset.probes, { backend: ruleset.backend }),
  ]);
  // A failed rule set is reported and the others still run, so that one test run shows every problem.
  if (traced.status === 'rejected' || observed.status === 'rejected') {
    for (const [who, result] of [
      ['fwmatrix trace', traced],
      ['kernel harness', observed],
    ] as const) {
      if (result.status === 'rejected') {
        tally.failures.push(`${who} FAILED on ${ruleset.label}: ${(result.reason as Error).message}\nrule set:\n${ruleset.shown}`);
      }
    }
    return;
  }
  const traces = traced.value;
  const kernel = observed.value;

  if (ruleset.generated) tally.generatedRuleSets++;
  else tally.realRuleSets++;
  let shownRuleset = false;
  ruleset.probes.forEach((probe, i) => {
    const trace = traces[i];
    if (ruleset.generated) tally.generatedProbes++;
    if (trace.verdict === 'undetermined') {
      tally.undetermined++;
      if (ruleset.generated) tally.generatedUndetermined++;
      tally.undeterminedLines.push(`${ruleset.label} ${JSON.stringify(probe)} → ${JSON.stringify({ ...trace, steps: undefined })}`);
      return;
    }
    tally.compared++;
    if (ruleset.generated) countFeatures(ruleset.family, trace, probe);
    const key = `IPv${ruleset.family} ${probe.chain}`;
    tally.comparedBy[key] = (tally.comparedBy[key] ?? 0) + 1;
    const agrees = kernel[i].accepted ? trace.verdict === 'accept' : trace.verdict === 'drop' || trace.verdict === 'reject';
    if (agrees) return;
    const parts = [`DISAGREEMENT in ${ruleset.label} (kernel backend ${ruleset.backend})`];
    if (!shownRuleset) parts.push(`rule set:\n${ruleset.shown}`);
    shownRuleset = true;
    parts.push(`probe:    ${JSON.stringify(probe)}`, `kernel:   ${describeKernel(kernel[i], probe)}`, `fwmatrix: ${JSON.stringify(trace)}`);
    tally.disagreements++;
    tally.failures.push(parts.join('\n'));
  });
}

/** One address inside each documentation prefix, for probes that no rule names. */
function documentationAddresses(family: Family): string[] {
  return DOCUMENTATION_PREFIXES[family].map((prefix) => formatAddress(prefixRange(prefix).first + 77n, family));
}

function generatedCases(workDir: string): RulesetCase[] {
  const cases: RulesetCase[] = [];
  for (const family of [4, 6] as const) {
    const pools = DOCUMENTATION_PREFIXES[family].map(prefixRange);
    const extraAddresses = documentationAddresses(family);
    for (let i = 0; i < SETS_PER_FAMILY + MARK_SETS_PER_FAMILY; i++) {
      const seed = BASE_SEED + family * 100003 + i;
      // After the general rule sets, some of marks alone, whose verdicts turn on the marks' values.
      const marks = i >= SETS_PER_FAMILY;
      const text = marks ? generateMarkRuleset(seed, family) : generateRuleset(seed, family);
      const label = `generated-${marks ? 'marks-' : ''}v${family}-seed-${seed}`;
      const file = path.join(workDir, `${label}.rules`);
      fs.writeFileSync(file, text);
      const probes = boundaryProbes(text, {
        family,
        seed,
        count: PROBES_PER_GENERATED_SET,
        interfaces: PROBE_INTERFACES,
        usable: (value) => pools.some((pool) => inRange(value, pool)),
        extraAddresses,
      });
      cases.push({ label, family, backend: i % 2 === 0 ? 'nft' : 'legacy', file, shown: text, generated: true, probes });
    }
  }
  return cases;
}

/** Addresses the kernel drops by routing, before or outside netfilter's INPUT and FORWARD. */
const MARTIANS: Record<Family, AddressRange[]> = {
  4: ['0.0.0.0/8', '127.0.0.0/8', '224.0.0.0/4', '240.0.0.0/4'].map(prefixRange),
  6: ['::/96', '::ffff:0:0/96', 'ff00::/8'].map(prefixRange),
};
const LINK_LOCAL_V6 = prefixRange('fe80::/10');

/**
 * Interfaces a real file names (a wildcard gets a name it matches), and eth0/eth1 as ones it may
 * not name. Probes cannot come in on lo, nor on a name Linux does not allow for an interface.
 */
function realInterfaces(text: string): string[] {
  const names = new Set(['eth0', 'eth1']);
  for (const [, written] of text.matchAll(/(?:^|\s)-[io]\s+(?:!\s+)?(\S+)/g)) {
    const name = written.endsWith('+') ? `${written.slice(0, -1)}0` : written;
    if (name !== 'lo' && /^[^\s:/]{1,15}$/.test(name)) names.add(name);
  }
  return [...names];
}

async function realCases(): Promise<RulesetCase[]> {
  const folder = path.join(REAL_CONFIGS_DIR, 'iptables');
  if (!fs.existsSync(folder)) {
    tally.skippedFiles.push(`${folder}: no such folder`);
    return [];
  }
  const cases: RulesetCase[] = [];
  for (const name of fs.readdirSync(folder).sort()) {
    const file = path.join(folder, name);
    const text = fs.readFileSync(file, 'utf8');
    const family: Family = /ip6tables-save/.test(text.split('\n', 1)[0]) || /(?:^|\s)-[sd]\s+(?:!\s+)?[0-9a-f]*:/im.test(text) ? 6 : 4;
    const accepted = await restoreAccepts(text, family);
    if (!accepted.ok) {
      tally.skippedFiles.push(
        `${name}: ${family === 4 ? 'iptables' : 'ip6tables'}-restore --test refuses it: ${accepted.message.split('\n')[0]}`,
      );
      continue;
    }
    if (/^\*security\b/m.test(text)) {
      tally.skippedFiles.push(`${name}: uses the security table, where the harness observes verdicts`);
      continue;
    }
    const probes = boundaryProbes(text, {
      family,
      seed: BASE_SEED,
      count: PROBES_PER_REAL_FILE,
      interfaces: realInterfaces(text),
      usable: (value, role, chain) =>
        !MARTIANS[family].some((range) => inRange(value, range)) &&
        // IPv6 routes no link-local destination, nor forwards a link-local source.
        !(family === 6 && inRange(value, LINK_LOCAL_V6) && (role === 'to' || chain === 'FORWARD')),
      extraAddresses: documentationAddresses(family),
    });
    cases.push({ label: `real ${name}`, family, backend: 'nft', file, shown: `(the file ${file})`, generated: false, probes });
  }
  return cases;
}

describe('kernel oracle: fwmatrix trace agrees with Linux netfilter', { skip: gate.skip, timeout: 600_000 }, () => {
  let workDir = '';
  before(() => {
    if (gate.failure) assert.fail(gate.failure);
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwmatrix-kernel-oracle-'));
  });
  after(() => {
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    const share = tally.generatedProbes ? ((100 * tally.generatedUndetermined) / tally.generatedProbes).toFixed(1) : '0';
    const by = Object.entries(tally.comparedBy)
      .sort()
      .map(([key, count]) => `${key} ${count}`)
      .join(', ');
    for (const line of tally.undeterminedLines) console.log(`undetermined: ${line}`);
    for (const line of tally.skippedFiles) console.log(`real configuration skipped: ${line}`);
    console.log(
      `kernel oracle: ${tally.generatedRuleSets} generated and ${tally.realRuleSets} real rule sets, ${tally.compared} probes compared (${by || 'none'}), ` +
        `${tally.undetermined} undetermined (${tally.generatedUndetermined} of ${tally.generatedProbes} generated, ${share}%), ` +
        `${tally.disagreements} disagreements, ${tally.failures.length - tally.disagreements} rule sets failed`,
    );
  });

  /** Fails with the problems found since the last call. */
  let reported = 0;
  function assertAgreement(): void {
    const problems = tally.failures.slice(reported);
    reported = tally.failures.length;
    if (problems.length === 0) return;
    const shown = problems.slice(0, SHOWN_FAILURES).join('\n\n');
    const more = problems.length > SHOWN_FAILURES ? `\n\n… and ${problems.length - SHOWN_FAILURES} more` : '';
    assert.fail(`${problems.length} disagreements or failed rule sets:\n\n${shown}${more}`);
  }

  it('generated rule sets (IPv4 and IPv6, INPUT and FORWARD)', async () => {
    for (const ruleset of generatedCases(workDir)) await compare(workDir, ruleset);
    assertAgreement();
    const share = tally.generatedUndetermined / tally.generatedProbes;
    assert.ok(
      share <= MAX_UNDETERMINED_SHARE_OF_GENERATED,
      `${tally.generatedUndetermined} of ${tally.generatedProbes} probes of generated rule sets are undetermined ` +
        `(${(share * 100).toFixed(1)}%, at most ${MAX_UNDETERMINED_SHARE_OF_GENERATED * 100}% allowed): they use only modelled features`,
    );
  });

  it('real configurations that iptables-restore accepts', async () => {
    for (const ruleset of await realCases()) await compare(workDir, ruleset);
    assertAgreement();
  });

  it(`compares at least ${MIN_COMPARED_PROBES} probes`, () => {
    assert.ok(tally.compared >= MIN_COMPARED_PROBES, `only ${tally.compared} probes compared`);
  });

  it(`tests at least ${MIN_PROBES_PER_FEATURE} probes per family on every feature class and on raw and mangle rules`, () => {
    const classes = [
      ...Object.keys(FEATURE_CLASSES),
      'raw rules',
      'mangle rules',
      'conntrack matches in raw',
      'ICMP opening no connection',
      'mark or connmark read after a writer',
      'CONNMARK or connmark after NOTRACK',
    ];
    const thin = [4, 6].flatMap((family) =>
      classes.map((feature) => `IPv${family} ${feature}`).filter((key) => (tally.featureProbes[key] ?? 0) < MIN_PROBES_PER_FEATURE),
    );
    const counts = Object.entries(tally.featureProbes)
      .sort()
      .map(([key, count]) => `${key} ${count}`)
      .join(', ');
    console.log(`kernel oracle: probes compared per feature class: ${counts}`);
    assert.deepEqual(thin, [], `too few compared probes on: ${thin.join(', ')} (counts: ${counts})`);
  });
});
