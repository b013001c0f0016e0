/**
 * The command line: parses options, calls the application layer, hands the result to a reporter,
 * and maps what happened to an exit code (0 pass, 1 findings at or above --fail-on, 2 unusable
 * input, 3 a bug).
 */
import * as fs from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { InputError, formatDiagnostic, type Location } from '../model/errors';
import { CONFIG_TYPES, FORMATS, loadConfig, readConfigText } from '../normalize';
import { parseProbe } from '../app/trace';
import { VERSION } from '../app/version';
import { loadMatrix, builtinMatrices } from '../matrix';
import { REPORT_FORMATS } from '../report';
import { DIFF_FORMATS } from '../report/diff';
import { modelJsonChunks } from '../report/model';
import { renderTraceText } from '../report/trace';
import { OutOfMemoryError } from '../app/parallel-audit';
import { runAuditInParallel } from './audit-command';
import { runDiff, type DiffCliOptions } from './diff-command';
import { commandLineProbe, meetsExpectation, tracer, type TraceCliOptions } from './trace-command';
import { configType, optionError, type AuditCliOptions } from './options';
import { matrixListText, matrixShowText } from './matrix-command';
import { validateCommand } from './validate-command';
import { AUDIT_HELP, DIFF_HELP, MATRIX_HELP, PARSE_HELP, TRACE_HELP, VALIDATE_HELP } from './help';

/** The formats whose firewalls usually forward: their configurations are audited as network firewalls by default. */
const NETWORK_TYPES = FORMATS.filter((f) => f.placement === 'network').map((f) => f.type);

/** Thrown by a command to end with a given exit code after it printed what it had to. */
class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: () => string;
  isTty: boolean;
}

/**
 * Colour when the user did not say --no-color: FORCE_COLOR (other than 0) asks for it even into a
 * pipe (CI logs render it), NO_COLOR refuses it, and otherwise a terminal gets it.
 */
function useColor(option: boolean | undefined, io: Io): boolean {
  if (option === false) return false;
  const force = process.env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  return io.isTty;
}

const defaultIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stdin: () => fs.readFileSync(0, 'utf8'),
  isTty: Boolean(process.stdout.isTTY),
};

/** Writes the report to the output file, or to stdout. */
function write(io: Io, text: string, output: string | undefined): void {
  if (output === undefined) return io.stdout(text);
  try {
    fs.writeFileSync(output, text);
  } catch (e) {
    throw optionError(output, `cannot write the report: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function integerOption(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw optionError(name, `expected a whole number, got "${value}"`);
    return Number(value);
  };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function buildProgram(io: Io): Command {
  const program = new Command('fwmatrix')
    .description('Audits firewall configurations against a required port matrix.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();

  const common = (cmd: Command, formats: readonly string[] = REPORT_FORMATS): Command =>
    cmd
      .addOption(new Option('-f, --format <format>', 'report format').choices(formats).default('text'))
      .option('-o, --output <file>', 'write the report to a file')
      .addOption(
        new Option('--fail-on <severity>', 'lowest severity that fails the run')
          .choices(['high', 'medium', 'low', 'none'])
          .default('medium'),
      )
      .option('--waivers <file>', 'waiver file: findings it names do not fail the run')
      .option('--baseline <report>', 'an earlier JSON report: its findings do not fail the run')
      .option('--no-color', 'no colour in the text report')
      .option('-q, --quiet', 'print only the verdict line')
      // Without a deployment file, these say what the firewall is and what it must allow.
      .option('--type <type>', `configuration format: ${CONFIG_TYPES.join(', ')}`)
      .option('--matrix <id|file>', 'the required matrix (without a deployment file)')
      .option('--role <name=addr,...>', 'a role and its addresses (repeatable)', collect)
      .addOption(
        new Option('--placement <placement>', `host or network (default: network for ${NETWORK_TYPES.join(', ')}, host otherwise)`).choices(
          ['host', 'network'],
        ),
      )
      .option('--host <addr,...>', "the firewall's own addresses")
      .option('--interface <name=net,...>', 'an interface and the networks behind it (repeatable)', collect);

  common(
    program
      .command('audit [deployment]')
      .description('audit every firewall of a deployment file (default ./fwmatrix.yml or ./fwmatrix.yaml), or one --config')
      .option(
        '--config <file>',
        'one configuration, without a deployment file (repeat for an ip6tables-save file beside an iptables-save one)',
        collect,
      )
      .option('--firewall <name>', 'audit only this firewall of the deployment (repeatable)', collect)
      .option('--report <format=file>', `also write a report: ${REPORT_FORMATS.join(', ')} (repeatable)`, collect)
      .option('--jobs <n>', 'audit this many firewalls at once, in worker threads (default: one per two cores)')
      .addHelpText('after', AUDIT_HELP),
  ).action(async (deployment: string | undefined, opts: AuditCliOptions) => {
    const run = await runAuditInParallel(deployment, { ...opts, color: useColor(opts.color, io) });
    for (const { file, text } of run.files) write(io, text, file);
    io.stdout(run.stdout);
    if (run.stderr) io.stderr(run.stderr);
    throw new Exit(run.exitCode);
  });

  common(
    program
      .command('diff <before> <after>')
      .description('what a change to a configuration does: flows newly allowed or denied, findings introduced and fixed')
      .option('--deployment <file>', 'a deployment file: BEFORE and AFTER stand for one of its firewalls')
      .option('--firewall <name>', 'which firewall of the deployment (when it has several)')
      .addHelpText('after', DIFF_HELP),
    DIFF_FORMATS,
  ).action((before: string, after: string, opts: DiffCliOptions) => {
    const { text, exitCode } = runDiff(before, after, { ...opts, color: useColor(opts.color, io) });
    write(io, text, opts.output);
    throw new Exit(exitCode);
  });

  program
    .command('trace [config]')
    .description("follow one packet (a new connection) through a configuration or a deployment's firewall, or many with --probes")
    .option('--from <ip>', 'source address')
    .option('--to <ip>', 'destination address')
    .option('--proto <proto>', 'tcp, udp, icmp or a protocol number')
    .option('--dport <port>', 'destination port', integerOption('--dport'))
    .option('--sport <port>', 'source port (default 40000)', integerOption('--sport'))
    .option('--in <iface>', 'interface the packet arrives on')
    .option('--out <iface>', 'interface the packet leaves by')
    .option(
      '--chain <point>',
      'enforcement point (iptables: INPUT, FORWARD, OUTPUT); by default chosen from --in and --out, or from the deployment',
    )
    .option('--deployment <file>', "trace through a deployment's firewall: its interfaces, host addresses and options")
    .option('--firewall <name>', 'which firewall of the deployment (when it has several)')
    .option('--type <type>', `configuration format: ${CONFIG_TYPES.join(', ')}`)
    .option('--profile <profile>', 'Windows profile (domain, private, public)')
    .addOption(new Option('--expect <verdict>', 'exit 1 unless the verdict is this (deny: drop or reject)').choices(['accept', 'deny']))
    .option('--probes <file>', 'one JSON packet a line (- for stdin); one JSON result a line comes out')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-o, --output <file>', 'write the result to a file')
    .addHelpText('after', TRACE_HELP)
    .action((config: string | undefined, opts: TraceCliOptions) => {
      const through = tracer(config, opts);
      let met = true;
      if (opts.probes !== undefined) {
        const file = opts.probes;
        const text = file === '-' ? io.stdin() : readConfigText(file);
        const shown = file === '-' ? '<stdin>' : file;
        // Each result is written as soon as it is known: a bad line later loses nothing before it.
        const out = opts.output === undefined ? io.stdout : appender(opts.output);
        text.split(/\r?\n/).forEach((raw, index) => {
          if (raw.trim() === '') return;
          const where: Location = { file: shown, line: index + 1 };
          const result = through.trace(parseProbe(raw, where), where);
          met &&= meetsExpectation(result, opts.expect);
          out(JSON.stringify(result) + '\n');
        });
      } else {
        const result = through.trace(commandLineProbe(opts), { file: 'command line' });
        met = meetsExpectation(result, opts.expect);
        write(io, opts.format === 'json' ? JSON.stringify(result, null, 2) + '\n' : renderTraceText(result), opts.output);
      }
      if (!met) throw new Exit(1);
    });

  const matrix = program.command('matrix').description('the built-in matrices').addHelpText('after', MATRIX_HELP);
  matrix
    .command('list')
    .description('list the built-in matrices')
    .action(() => io.stdout(matrixListText(builtinMatrices())));
  matrix
    .command('show <id>')
    .description("a matrix's requirements, notes and errata")
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((id: string, opts: { format: string }) => {
      const m = loadMatrix(id, process.cwd());
      io.stdout(opts.format === 'json' ? JSON.stringify(m, null, 2) + '\n' : matrixShowText(m));
    });

  program
    .command('parse <config>')
    .description('the normalized model of a configuration, as JSON')
    .addHelpText('after', PARSE_HELP)
    .option('--type <type>', `configuration format: ${CONFIG_TYPES.join(', ')}`)
    .action((config: string, opts: { type?: string }) => {
      const type = configType(opts.type);
      writeInBatches(io, modelJsonChunks(loadConfig([config], type !== undefined ? { type } : {})));
    });

  program
    .command('validate <file>')
    .description('check a deployment, matrix or waiver file against its schema')
    .addHelpText('after', VALIDATE_HELP)
    .action((file: string) => {
      const { text, ok } = validateCommand(file);
      if (ok) io.stdout(text);
      else {
        io.stderr(text);
        throw new Exit(2);
      }
    });
  return program;
}

/** Writes pieces of text a megabyte or so at a time: together they may be longer than one string can be. */
function writeInBatches(io: Io, chunks: Iterable<string>): void {
  let batch: string[] = [];
  let length = 0;
  for (const chunk of chunks) {
    batch.push(chunk);
    length += chunk.length;
    if (length < 1 << 20) continue;
    io.stdout(batch.join(''));
    batch = [];
    length = 0;
  }
  if (batch.length > 0) io.stdout(batch.join(''));
}

/** Appends to a file created empty first, for results written one at a time. */
function appender(file: string): (text: string) => void {
  write(defaultIo, '', file);
  return (text) => fs.appendFileSync(file, text);
}

/** `fwmatrix parse … | head -1`: a reader that stops early is no error worth a stack trace. */
function endQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  if (io === defaultIo) endQuietlyOnClosedPipe();
  try {
    await buildProgram(io).parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof Exit) return e.code;
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : 2;
    }
    if (e instanceof InputError) {
      for (const d of e.diagnostics) io.stderr(`fwmatrix: ${formatDiagnostic(d)}\n`);
      return 2;
    }
    if (e instanceof OutOfMemoryError) {
      io.stderr(`fwmatrix: ${e.message}\n`);
      return 3;
    }
    const detail = e instanceof Error ? (process.env.FWMATRIX_DEBUG ? (e.stack ?? e.message) : e.message) : String(e);
    io.stderr(
      `fwmatrix: internal error (a bug in fwmatrix, not in your input): ${detail}\nPlease report it with the command and the input that caused it (FWMATRIX_DEBUG=1 shows where it happened).\n`,
    );
    return 3;
  }
}
