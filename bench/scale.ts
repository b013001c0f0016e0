/**
 * `npm run bench`, end to end: generates seeded rule sets (10k, 100k and 1M rules of tool-generated
 * shapes, a TUM look-alike, pfSense config.xml and Windows GPO reports) and takes the real TUM
 * dump, then times the real CLI (`fwmatrix audit --format json`, host and network placement) and,
 * in the same run, a checker of the same file (`iptables-restore --test`, in a network namespace
 * this script creates and removes; `xmllint --noout` for XML). Prints wall and CPU time, peak
 * memory and the ratios.
 *
 *   node dist/bench/scale.js [--cases mixed-10k,tum-real,…] [--seed N] [--runs N] [--timeout S]
 *                            [--json FILE] [--keep] [--list]
 *
 * A case is SHAPE-SIZE (shapes: mixed, shorewall, kube-proxy, docker, pfblocker, tum, pfsense,
 * windows; sizes such as 5k, 100k, 1m) or a real file (tum-real). Generated files live in a
 * temporary folder, removed at the end unless --keep. A new input kind is one entry of INPUT_KINDS
 * plus its generator.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generate, type ShapeName } from './generate/shapes';
import { deploymentYaml, xmlDeploymentYaml, type InterfaceMap, type Roles } from './generate/site';
import { pfsenseConfig, windowsGpoReport } from './generate/xml-configs';
import { bestOf, checkGnuTime, type Measured } from './measure';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'bin', 'fwmatrix.js');

/** How one kind of input is checked by its own vendor's tool, the yardstick fwmatrix is held to. */
interface InputKind {
  /** What starts each rule in the file, to count them. */
  ruleMarker: string;
  reference: {
    label: string;
    command: (file: string) => string[];
    /** Runs inside the benchmark's network namespace (it talks to the kernel). */
    inNamespace: boolean;
    /** What the tool needs installed, for the message when it is missing. */
    requires: { command: string; package: string };
  };
}

/** XML configurations are held to a well-formedness check of the file, the least any reader of them does. */
const XMLLINT: InputKind['reference'] = {
  label: 'xmllint --noout',
  command: (file) => ['xmllint', '--noout', '--huge', file],
  inNamespace: false,
  requires: { command: 'xmllint', package: 'libxml2-utils' },
};

const INPUT_KINDS = {
  iptables: {
    reference: {
      label: 'iptables-restore --test (nft)',
      command: (file) => ['iptables-nft-restore', '--test', file],
      inNamespace: true,
      requires: { command: 'iptables-nft-restore', package: 'iptables' },
    },
    ruleMarker: '\n-A ',
  },
  pfsense: {
    reference: XMLLINT,
    ruleMarker: '<rule>',
  },
  windows: {
    reference: XMLLINT,
    ruleMarker: '<q1:InboundFirewallRules>',
  },
} satisfies Record<string, InputKind>;
type KindName = keyof typeof INPUT_KINDS;

/** A case's files, ready to time. */
interface Prepared {
  kind: KindName;
  /** What fwmatrix audits. */
  config: string;
  /** What the reference checks: the same file, unless `note` says why not. */
  referenceInput: string;
  note?: string;
  deployments: { placement: 'host' | 'network'; file: string }[];
}

interface BenchCase {
  id: string;
  prepare: (dir: string, seed: number) => Prepared;
}

const SHAPES: readonly (ShapeName | 'mixed')[] = ['mixed', 'shorewall', 'kube-proxy', 'docker', 'pfblocker', 'tum'];
const DEFAULT_CASES = [
  'mixed-10k',
  'mixed-100k',
  'mixed-1m',
  'tum-5k',
  'tum-real',
  'pfsense-10k',
  'pfsense-100k',
  'windows-10k',
  'windows-100k',
];

function writeDeployments(dir: string, config: string, interfaces: InterfaceMap, roles?: Roles, host?: string): Prepared['deployments'] {
  return (['host', 'network'] as const).map((placement) => {
    const file = path.join(dir, `${path.basename(config)}.${placement}.yml`);
    fs.writeFileSync(
      file,
      deploymentYaml(path.basename(config), placement, { interfaces, ...(roles ? { roles } : {}), ...(host ? { host } : {}) }),
    );
    return { placement, file };
  });
}

function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text);
  if (!match) return undefined;
  const scale = { '': 1, k: 1e3, m: 1e6 }[match[2]!.toLowerCase() as '' | 'k' | 'm'];
  return Math.round(Number(match[1]) * scale);
}

function generatedCase(id: string): BenchCase | undefined {
  const dash = id.lastIndexOf('-');
  const shape = id.slice(0, dash) as ShapeName | 'mixed';
  const rules = parseSize(id.slice(dash + 1));
  if (!SHAPES.includes(shape) || rules === undefined) return undefined;
  return {
    id,
    prepare: (dir, seed) => {
      const { text, interfaces } = generate(shape, rules, seed);
      const config = path.join(dir, `${id}.rules`);
      fs.writeFileSync(config, text);
      return { kind: 'iptables', config, referenceInput: config, deployments: writeDeployments(dir, config, interfaces) };
    },
  };
}

/** pfSense config.xml or a Windows GPO report of SIZE rules (pfsense-10k, windows-100k), against `xmllint --noout`. */
function xmlCase(id: string): BenchCase | undefined {
  const match = /^(pfsense|windows)-(.+)$/.exec(id);
  const rules = match ? parseSize(match[2]!) : undefined;
  if (!match || rules === undefined) return undefined;
  const kind = match[1] as 'pfsense' | 'windows';
  return {
    id,
    prepare: (dir, seed) => {
      const config = path.join(dir, `${id}.xml`);
      fs.writeFileSync(config, kind === 'pfsense' ? pfsenseConfig(rules, seed) : windowsGpoReport(rules, seed));
      const file = path.join(dir, `${id}.${kind === 'pfsense' ? 'network' : 'host'}.yml`);
      fs.writeFileSync(file, xmlDeploymentYaml(path.basename(config), kind));
      return { kind, config, referenceInput: config, deployments: [{ placement: kind === 'pfsense' ? 'network' : 'host', file }] };
    },
  };
}

/** The real TUM dump, with a deployment placing the matrix's roles on its networks. */
const TUM_REAL: BenchCase = {
  id: 'tum-real',
  prepare: (dir) => {
    const original = path.join(ROOT, 'fixtures', 'real', 'iptables-large', 'diekmann_tum_net_2015-09-03.rules');
    // The dump's MAC addresses are anonymised as XX:XX:XX:XX:XX:XX, which iptables-restore refuses
    // (at line 1794): both tools read a copy with a valid MAC there instead, the file otherwise the same.
    const config = path.join(dir, 'tum-real.rules');
    fs.writeFileSync(config, fs.readFileSync(original, 'utf8').replaceAll('XX:XX:XX:XX:XX:XX', '02:00:00:00:00:01'));
    const interfaces: InterfaceMap = {
      'eth1.110': ['0.0.0.0/0'],
      'eth1.96': ['131.159.14.0/25'],
      'eth1.108': ['131.159.14.128/26'],
      'eth1.109': ['131.159.20.0/24'],
      'eth1.152': ['131.159.15.240/28'],
      'eth1.171': ['131.159.15.0/26'],
      'eth1.1019': ['188.95.234.0/23'],
    };
    const roles: Roles = {
      'reverse-proxy-internal': ['131.159.15.247'],
      director: ['131.159.20.52'],
      'front-end': ['131.159.20.19-131.159.20.21'],
      'internal-clients': ['131.159.14.0/25'],
      'edge-internal': ['131.159.15.248'],
      any: ['131.159.14.0/23', '131.159.20.0/23'],
    };
    return {
      kind: 'iptables',
      config,
      referenceInput: config,
      note: 'the anonymised MACs (XX:XX:…) replaced by 02:00:00:00:00:01, which iptables-restore needs to read past line 1794',
      deployments: writeDeployments(dir, config, interfaces, roles, '131.159.20.52'),
    };
  },
};

function findCase(id: string): BenchCase {
  const found = id === TUM_REAL.id ? TUM_REAL : (generatedCase(id) ?? xmlCase(id));
  if (!found)
    throw new Error(`unknown case "${id}": expected SHAPE-SIZE (${SHAPES.join(', ')}, pfsense, windows; 10k, 1m, …) or ${TUM_REAL.id}`);
  return found;
}

interface Options {
  cases: string[];
  seed: number;
  runs?: number;
  timeoutSeconds: number;
  json?: string;
  keep: boolean;
}

function parseOptions(argv: string[]): Options | 'list' {
  const options: Options = { cases: DEFAULT_CASES, seed: 1, timeoutSeconds: 1800, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${argv[i - 1]} needs a value`);
      return v;
    };
    switch (argv[i]) {
      case '--cases':
        options.cases = value().split(',').filter(Boolean);
        break;
      case '--seed':
        options.seed = Number(value());
        break;
      case '--runs':
        options.runs = Number(value());
        break;
      case '--timeout':
        options.timeoutSeconds = Number(value());
        break;
      case '--json':
        options.json = value();
        break;
      case '--keep':
        options.keep = true;
        break;
      case '--list':
        return 'list';
      default:
        throw new Error(`unknown option ${argv[i]}`);
    }
  }
  return options;
}

/** A network namespace of the benchmark's own, removed on exit, so the reference never touches the host's rules. */
function createNamespace(): string {
  const name = `fwbench-${process.pid}`;
  const made = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`cannot create network namespace ${name} (root and iproute2 are needed): ${made.stderr.trim()}`);
  const remove = (): void => void spawnSync('ip', ['netns', 'del', name]);
  process.on('exit', remove);
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      remove();
      process.exit(130);
    });
  return name;
}

function countRules(file: string, marker: string): { rules: number; bytes: number } {
  const text = fs.readFileSync(file, 'utf8');
  let rules = 0;
  for (let at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + 1)) rules++;
  return { rules, bytes: Buffer.byteLength(text) };
}

interface Row {
  case: string;
  rules: number;
  bytes: number;
  placement: 'host' | 'network';
  fwmatrix: Measured;
  reportBytes: number;
  reference: Measured;
  referenceLabel: string;
  note?: string;
}

const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
const fileSize = (bytes: number): string => (bytes < 2 ** 20 ? `${(bytes / 1024).toFixed(0)} KB` : `${(bytes / 2 ** 20).toFixed(1)} MB`);
const seconds = (s: number): string => (s < 10 ? s.toFixed(2) : s.toFixed(1));
const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}x` : '-');

function failure(m: Measured): string {
  const line =
    m.stderr
      .trim()
      .split('\n')
      .find((l) => !l.startsWith('Command exited')) ?? '';
  return `exit ${m.exitCode}${line ? `: ${line.slice(0, 100)}` : ''}`;
}

function printRow(row: Row): void {
  const f = row.fwmatrix;
  const r = row.reference;
  const ok = f.exitCode === 0 || f.exitCode === 1;
  const cells = [
    row.case.padEnd(12),
    String(row.rules).padStart(8),
    fileSize(row.bytes).padStart(8),
    row.placement.padEnd(8),
    `${seconds(f.wallSeconds)} s`.padStart(9),
    `${seconds(f.cpuSeconds)} s`.padStart(9),
    `${mb(f.peakBytes)} MB`.padStart(8),
    `${seconds(r.wallSeconds)} s`.padStart(9),
    `${seconds(r.cpuSeconds)} s`.padStart(9),
    `${mb(r.peakBytes)} MB`.padStart(8),
    ok ? ratio(f.wallSeconds, r.wallSeconds).padStart(7) : failure(f),
    ok ? ratio(f.cpuSeconds, r.cpuSeconds).padStart(7) : '',
  ];
  console.log(cells.join(' '));
}

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'list') {
    console.log(
      `cases: SHAPE-SIZE with SHAPE one of ${SHAPES.join(', ')}, pfsense, windows (e.g. mixed-100k, tum-5k, windows-10k), or ${TUM_REAL.id}`,
    );
    console.log(`default: ${DEFAULT_CASES.join(',')}`);
    return;
  }
  const cases = options.cases.map(findCase);
  const missing = [
    checkGnuTime(),
    ...Object.values(INPUT_KINDS).map(({ reference: { requires } }) =>
      spawnSync('sh', ['-c', `command -v ${requires.command}`]).status === 0
        ? undefined
        : `${requires.command} is needed: apt-get install ${requires.package}`,
    ),
  ].filter((m): m is string => m !== undefined);
  if (missing.length > 0) throw new Error(missing.join('; '));
  const namespace = createNamespace();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwmatrix-bench-'));
  const rows: Row[] = [];
  console.log(
    `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${mb(os.totalmem())} MB, Node ${process.version}, seed ${options.seed}; files in ${dir}`,
  );
  console.log(
    `${'case'.padEnd(12)} ${'rules'.padStart(8)} ${'size'.padStart(8)} ${'place'.padEnd(8)} ${'fwm wall'.padStart(9)} ${'fwm cpu'.padStart(9)} ${'fwm peak'.padStart(8)} ${'ref wall'.padStart(9)} ${'ref cpu'.padStart(9)} ${'ref peak'.padStart(8)} ${'wall'.padStart(7)} ${'cpu'.padStart(7)}`,
  );
  try {
    for (const benchCase of cases) {
      const prepared = benchCase.prepare(dir, options.seed);
      const kind = INPUT_KINDS[prepared.kind];
      const { rules, bytes } = countRules(prepared.config, kind.ruleMarker);
      const runs = options.runs ?? (rules <= 20_000 ? 3 : 1);
      const within = kind.reference.inNamespace ? ['ip', 'netns', 'exec', namespace] : [];
      const reference = bestOf(runs, kind.reference.command(prepared.referenceInput), [0], within);
      if (reference.exitCode !== 0) throw new Error(`${kind.reference.label} refuses ${benchCase.id}: ${failure(reference)}`);
      for (const { placement, file } of prepared.deployments) {
        const report = path.join(dir, `${benchCase.id}.${placement}.json`);
        const command = [
          'timeout',
          '-s',
          'KILL',
          String(options.timeoutSeconds),
          process.execPath,
          CLI,
          'audit',
          file,
          '--format',
          'json',
          '--output',
          report,
          '--fail-on',
          'none',
        ];
        const fwmatrix = bestOf(runs, command, [0, 1]);
        const reportBytes = fs.existsSync(report) ? fs.statSync(report).size : 0;
        const row: Row = {
          case: benchCase.id,
          rules,
          bytes,
          placement,
          fwmatrix,
          reportBytes,
          reference,
          referenceLabel: kind.reference.label,
          ...(prepared.note ? { note: prepared.note } : {}),
        };
        rows.push(row);
        printRow(row);
        fs.rmSync(report, { force: true });
      }
      if (!options.keep) for (const file of [prepared.config, ...prepared.deployments.map((d) => d.file)]) fs.rmSync(file, { force: true });
    }
  } finally {
    if (!options.keep) fs.rmSync(dir, { recursive: true, force: true });
  }
  const references = [...new Set(rows.map((r) => r.referenceLabel))];
  console.log(`ratios: fwmatrix audit --format json / ${references.join(', ')} on the same file, both timed in this run; best of the runs`);
  for (const note of new Set(rows.flatMap((r) => (r.note ? [`${r.case}: ${r.note}`] : [])))) console.log(`note: ${note}`);
  if (options.json) fs.writeFileSync(options.json, JSON.stringify({ machine: machine(), seed: options.seed, rows }, null, 2) + '\n');
}

function machine(): { cpus: number; model: string; memoryBytes: number; node: string; platform: string } {
  return {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model ?? '',
    memoryBytes: os.totalmem(),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
  };
}

main();
