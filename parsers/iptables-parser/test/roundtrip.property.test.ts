import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  type Chain,
  type Counters,
  type MatchModule,
  type ModuleOption,
  type Negatable,
  type Rule,
  type Ruleset,
  type Table,
  type Target,
  parseIptablesSave,
} from '../src';
import { findChain } from './helpers';

/*
 * Random rulesets are rendered the way iptables-save writes them (with a few
 * liberties iptables-restore accepts: old-style negation, long options,
 * comments and blank lines anywhere, -c counters), parsed, and compared with
 * the tree they were rendered from, line numbers included.
 */

const BUILTINS: Record<string, string[]> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  raw: ['PREROUTING', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};
const ALL_BUILTIN_NAMES = new Set(Object.values(BUILTINS).flat());

/** Option names the generator must avoid: iptables' own long options and the protocol matches' options. */
const RESERVED_OPTION_NAMES = new Set([
  'protocol',
  'source',
  'src',
  'destination',
  'dst',
  'in-interface',
  'out-interface',
  'fragment',
  'match',
  'jump',
  'goto',
  'ipv4',
  'ipv6',
  'set-counters',
  'table',
  'append',
  'insert',
  'delete',
  'replace',
  'check',
  'flush',
  'zero',
  'new-chain',
  'delete-chain',
  'rename-chain',
  'policy',
  'list',
  'list-rules',
  'sport',
  'source-port',
  'dport',
  'destination-port',
  'tcp-flags',
  'syn',
  'tcp-option',
  'icmp-type',
  'icmpv6-type',
  'chunk-types',
  'dccp-types',
  'dccp-option',
  'espspi',
  'ahspi',
  'ahlen',
  'ahres',
  'mh-type',
]);

/** A word as it is meant (`value`) and as it is written (`raw`). */
interface Word {
  value: string;
  raw: string;
}

function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const LETTERS = LOWER + LOWER.toUpperCase();
const DIGITS = '0123456789';

/** Strings of `first` then up to `maxRest` characters of `rest` (fc.stringMatching is much slower). */
function wordOf(first: string, rest: string, maxRest: number): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...first), fc.array(fc.constantFrom(...rest), { maxLength: maxRest }))
    .map(([head, tail]) => head + tail.join(''));
}

/** Option values: plain words, or quoted strings of any printable characters (quotes and backslashes escaped). No colons, so no IPv6 by accident. */
const valueWord: fc.Arbitrary<Word> = fc.oneof(
  wordOf(LETTERS + DIGITS + '_.,/+=%@', LETTERS + DIGITS + '_.,/+=%@', 9).map((value) => ({ value, raw: value })),
  fc
    .string({ maxLength: 12 })
    .filter((value) => !value.includes(':'))
    .map((value) => ({ value, raw: quote(value) })),
);

interface OptionModel {
  name: string;
  negated: boolean;
  /** Write the negation the old way, after the option name. */
  oldStyle: boolean;
  values: Word[];
}

const optionModel = (values: fc.Arbitrary<Word[]>, names: fc.Arbitrary<string>): fc.Arbitrary<OptionModel> =>
  fc.record({ name: names, negated: fc.boolean(), oldStyle: fc.boolean(), values });

const extensionOptionName = wordOf(LOWER, LOWER + DIGITS + '-', 10).filter((name) => !RESERVED_OPTION_NAMES.has(name));

const moduleModel = fc.record({
  name: fc.constantFrom(
    'comment',
    'state',
    'conntrack',
    'limit',
    'mark',
    'recent',
    'addrtype',
    'set',
    'owner',
    'physdev',
    'hashlimit',
    'time',
    'policy',
  ),
  options: fc.array(optionModel(fc.array(valueWord, { maxLength: 2 }), extensionOptionName), { maxLength: 3 }),
});

const portWord = fc
  .tuple(fc.integer({ min: 0, max: 65535 }), fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }))
  .map(([low, high]) => {
    const value = high === undefined ? String(low) : `${low}:${high}`;
    return { value, raw: value };
  });

interface NegatableModel {
  value: Word;
  negated: boolean;
  oldStyle: boolean;
}

const negatable = (values: fc.Arbitrary<Word>): fc.Arbitrary<NegatableModel> =>
  fc.record({ value: values, negated: fc.boolean(), oldStyle: fc.boolean() });

const interfaceWord: fc.Arbitrary<Word> = fc
  .tuple(wordOf(LOWER, LOWER, 5), fc.nat({ max: 99 }), fc.boolean())
  .map(([name, number, wildcard]) => `${name}${number}${wildcard ? '+' : ''}`)
  .map((value) => ({ value, raw: value }));

type TargetModel =
  | { type: 'none' }
  | { type: 'verdict'; name: string }
  | { type: 'extension'; name: string; options: OptionModel[] }
  | { type: 'chain'; kind: Target['kind']; pick: number };

const targetModel: fc.Arbitrary<TargetModel> = fc.oneof(
  fc.constant<TargetModel>({ type: 'none' }),
  fc.constantFrom('ACCEPT', 'DROP', 'RETURN', 'QUEUE').map((name): TargetModel => ({ type: 'verdict', name })),
  fc
    .record({ prefix: fc.string({ maxLength: 20 }).filter((value) => !value.includes(':')), level: fc.integer({ min: 0, max: 7 }) })
    .map(({ prefix, level }): TargetModel => ({
      type: 'extension',
      name: 'LOG',
      options: [
        { name: 'log-prefix', negated: false, oldStyle: false, values: [{ value: prefix, raw: quote(prefix) }] },
        { name: 'log-level', negated: false, oldStyle: false, values: [{ value: String(level), raw: String(level) }] },
      ],
    })),
  fc.constantFrom('icmp-port-unreachable', 'tcp-reset', 'icmp-host-prohibited').map((reason): TargetModel => ({
    type: 'extension',
    name: 'REJECT',
    options: [{ name: 'reject-with', negated: false, oldStyle: false, values: [{ value: reason, raw: reason }] }],
  })),
  fc
    .record({ kind: fc.constantFrom<Target['kind']>('jump', 'goto'), pick: fc.nat() })
    .map((chain): TargetModel => ({ type: 'chain', ...chain })),
);

const countersModel: fc.Arbitrary<Counters> = fc.record(
  { packets: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), bytes: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) },
  { noNullPrototype: true },
);

interface RuleModel {
  longForms: boolean;
  counters?: { value: Counters; asPrefix: boolean };
  protocol?: NegatableModel;
  implicitOptions: OptionModel[];
  source?: NegatableModel;
  destination?: NegatableModel;
  inInterface?: NegatableModel;
  outInterface?: NegatableModel;
  fragment?: { negated: boolean };
  modules: { name: string; options: OptionModel[] }[];
  target: TargetModel;
}

const ruleModel = (family: 4 | 6): fc.Arbitrary<RuleModel> => {
  const address = family === 4 ? fc.ipV4() : fc.ipV6();
  const addressWord = fc
    .tuple(address, fc.option(fc.integer({ min: 0, max: family === 4 ? 32 : 128 }), { nil: undefined }))
    .map(([ip, prefix]) => {
      const value = prefix === undefined ? ip : `${ip}/${prefix}`;
      return { value, raw: value };
    });
  const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
  return fc
    .record({
      longForms: fc.boolean(),
      counters: optional(fc.record({ value: countersModel, asPrefix: fc.boolean() })),
      protocol: optional(negatable(fc.constantFrom('tcp', 'udp', 'icmp', 'gre', 'esp').map((value) => ({ value, raw: value })))),
      implicitOptions: fc.array(
        optionModel(
          portWord.map((port) => [port]),
          fc.constantFrom('sport', 'dport'),
        ),
        { maxLength: 2 },
      ),
      source: optional(negatable(addressWord)),
      destination: optional(negatable(addressWord)),
      inInterface: optional(negatable(interfaceWord)),
      outInterface: optional(negatable(interfaceWord)),
      fragment: family === 4 ? optional(fc.record({ negated: fc.boolean() })) : fc.constant(undefined),
      modules: fc.array(moduleModel, { maxLength: 3 }),
      target: targetModel,
    })
    .map((rule) => {
      const protocol = rule.protocol && !rule.protocol.negated ? rule.protocol.value.value : undefined;
      return {
        ...rule,
        // Port options only make sense (and the kernel only takes them) after -p tcp or -p udp, not negated.
        implicitOptions: protocol === 'tcp' || protocol === 'udp' ? rule.implicitOptions : [],
        // The kernel sends a TCP reset only for a rule that matches TCP alone.
        target: isTcpReset(rule.target) && protocol !== 'tcp' ? ({ type: 'verdict', name: 'DROP' } as const) : rule.target,
      };
    });
};

function isTcpReset(target: TargetModel): boolean {
  return target.type === 'extension' && target.name === 'REJECT' && target.options[0].values[0].value === 'tcp-reset';
}

interface TableModel {
  name: string;
  policies: { policy: string; counters: Counters }[];
  userChains: { name: string; counters: Counters }[];
  /** Rules of the built-in chains, then of the user chains, in chain order. */
  rules: RuleModel[][];
}

const userChainName = wordOf(LETTERS, LETTERS + DIGITS + '_~.-', 20).filter(
  (name) => !ALL_BUILTIN_NAMES.has(name) && !['ACCEPT', 'DROP', 'RETURN', 'QUEUE', 'LOG', 'REJECT'].includes(name),
);

const tableModel = (name: string, family: 4 | 6): fc.Arbitrary<TableModel> =>
  fc
    .record({
      policies: fc.array(fc.record({ policy: fc.constantFrom('ACCEPT', 'DROP'), counters: countersModel }), {
        minLength: BUILTINS[name].length,
        maxLength: BUILTINS[name].length,
      }),
      userChains: fc.uniqueArray(fc.record({ name: userChainName, counters: countersModel }), {
        maxLength: 3,
        selector: (chain) => chain.name,
      }),
    })
    .chain(({ policies, userChains }) =>
      fc
        .array(fc.array(ruleModel(family), { maxLength: 4 }), {
          minLength: BUILTINS[name].length + userChains.length,
          maxLength: BUILTINS[name].length + userChains.length,
        })
        .map((rules) => ({ name, policies, userChains, rules })),
    );

interface RulesetModel {
  family: 4 | 6;
  /** Whether the file starts with a "# Generated by ip(6)tables-save" line. */
  header: boolean;
  tables: TableModel[];
  /** Comments and blank lines to scatter through the file. */
  noise: string[];
}

const rulesetModel: fc.Arbitrary<RulesetModel> = fc.constantFrom<4 | 6>(4, 6).chain((family) =>
  fc.record({
    family: fc.constant(family),
    header: fc.boolean(),
    tables: fc
      .shuffledSubarray(Object.keys(BUILTINS), { minLength: 1 })
      .chain((names) => fc.tuple(...names.map((name) => tableModel(name, family)))),
    noise: fc.array(fc.constantFrom('', '# comment', '#-A INPUT -j DROP', '   '), { maxLength: 30 }),
  }),
);

/** A line of the rendered file and how to record, once lines are numbered, where it landed. */
interface Line {
  text: string;
  placed?: (line: number) => void;
}

function renderOptions(options: readonly OptionModel[]): { words: string[]; expected: ModuleOption[] } {
  const words: string[] = [];
  for (const option of options) {
    const values = option.values.map((word) => word.raw);
    if (option.negated && option.oldStyle && values.length > 0) words.push(`--${option.name}`, '!', ...values);
    else words.push(...(option.negated ? ['!'] : []), `--${option.name}`, ...values);
  }
  const expected = options.map((option) => ({
    name: option.name,
    negated: option.negated,
    values: option.values.map((word) => word.value),
  }));
  return { words, expected };
}

/** Renders one rule of the table's chain number `chainIndex`: its line, and the Rule expected from it (line filled in when placed). */
function renderRule(model: RuleModel, table: TableModel, chainIndex: number): { line: Line; rule: Rule } {
  const chain =
    chainIndex < BUILTINS[table.name].length
      ? BUILTINS[table.name][chainIndex]
      : table.userChains[chainIndex - BUILTINS[table.name].length].name;
  const long = model.longForms;
  const spec: string[] = [];
  const expected: Partial<Rule> & { matches: MatchModule[] } = { matches: [] };

  const base = (field: 'protocol' | 'source' | 'destination' | 'inInterface' | 'outInterface', short: string, longName: string): void => {
    const option = model[field];
    if (!option) return;
    const flag = long ? longName : short;
    if (option.negated && option.oldStyle) spec.push(flag, '!', option.value.raw);
    else spec.push(...(option.negated ? ['!'] : []), flag, option.value.raw);
    const value: Negatable<string> = { value: option.value.value, negated: option.negated };
    expected[field] = value;
  };
  // iptables refuses -o where packets have no output interface yet, and -i where they have no input one.
  const noOut = chain === 'INPUT' || chain === 'PREROUTING';
  const noIn = chain === 'OUTPUT' || chain === 'POSTROUTING';
  base('source', '-s', '--source');
  base('destination', '-d', '--destination');
  if (!noIn) base('inInterface', '-i', '--in-interface');
  if (!noOut) base('outInterface', '-o', '--out-interface');
  if (model.fragment) {
    spec.push(...(model.fragment.negated ? ['!'] : []), long ? '--fragment' : '-f');
    expected.fragment = { value: true, negated: model.fragment.negated };
  }
  base('protocol', '-p', '--protocol');
  if (model.implicitOptions.length > 0 && model.protocol) {
    const { words, expected: options } = renderOptions(model.implicitOptions);
    spec.push(...words);
    expected.matches.push({ name: model.protocol.value.value, implicit: true, options });
  }
  for (const module of model.modules) {
    const { words, expected: options } = renderOptions(module.options);
    spec.push(long ? '--match' : '-m', module.name, ...words);
    expected.matches.push({ name: module.name, implicit: false, options });
  }
  const target = resolveTarget(model.target, table, chainIndex);
  if (target) {
    const { words, expected: options } = renderOptions(target.options);
    const flag = target.kind === 'jump' ? (long ? '--jump' : '-j') : long ? '--goto' : '-g';
    spec.push(flag, target.name, ...words);
    expected.target = { kind: target.kind, name: target.name, options };
  }

  const command = `${long ? '--append' : '-A'} ${chain}`;
  const specText = spec.join(' ');
  const counters = model.counters;
  let text = [command, specText].filter(Boolean).join(' ');
  if (counters && counters.asPrefix) text = `[${counters.value.packets}:${counters.value.bytes}] ${text}`;
  if (counters && !counters.asPrefix) text += ` -c ${counters.value.packets} ${counters.value.bytes}`;
  const rule: Rule = { line: 0, text, spec: specText, ...(counters && { counters: counters.value }), ...expected };
  return { line: { text, placed: (line) => (rule.line = line) }, rule };
}

interface TargetRender {
  kind: Target['kind'];
  name: string;
  options: OptionModel[];
}

/** Chain targets only go to later user chains, so no loop can form; nat gets no DROP. */
function resolveTarget(model: TargetModel, table: TableModel, chainIndex: number): TargetRender | undefined {
  switch (model.type) {
    case 'none':
      return undefined;
    case 'verdict':
      return { kind: 'jump', name: table.name === 'nat' && model.name === 'DROP' ? 'ACCEPT' : model.name, options: [] };
    case 'extension':
      return { kind: 'jump', name: model.name, options: model.options };
    case 'chain': {
      const builtinCount = BUILTINS[table.name].length;
      const firstReachable = Math.max(0, chainIndex - builtinCount + 1);
      const candidates = table.userChains.slice(firstReachable);
      if (candidates.length === 0) return { kind: 'jump', name: 'RETURN', options: [] };
      return { kind: model.kind, name: candidates[model.pick % candidates.length].name, options: [] };
    }
  }
}

/** Renders the model to file text and builds the Ruleset the parser must return. */
function render(model: RulesetModel): { text: string; expected: Ruleset } {
  const lines: Line[] = [];
  if (model.header)
    lines.push({ text: `# Generated by ${model.family === 6 ? 'ip6tables' : 'iptables'}-save v1.8.9 on Sun Nov 22 02:16:07 2026` });
  const tables: Table[] = [];
  for (const tableModel of model.tables) {
    const table: Table = { name: tableModel.name, line: 0, chains: [] };
    tables.push(table);
    lines.push({ text: `*${table.name}`, placed: (line) => (table.line = line) });
    BUILTINS[table.name].forEach((name, index) => {
      const { policy, counters } = tableModel.policies[index];
      const chain: Chain = { name, line: 0, builtin: true, policy, policyLine: 0, counters, rules: [] };
      table.chains.push(chain);
      lines.push({
        text: `:${name} ${policy} [${counters.packets}:${counters.bytes}]`,
        placed: (line) => (chain.line = chain.policyLine = line),
      });
    });
    for (const { name, counters } of tableModel.userChains) {
      const chain: Chain = { name, line: 0, builtin: false, policy: null, counters, rules: [] };
      table.chains.push(chain);
      lines.push({ text: `:${name} - [${counters.packets}:${counters.bytes}]`, placed: (line) => (chain.line = line) });
    }
    tableModel.rules.forEach((rules, chainIndex) => {
      for (const ruleModel of rules) {
        const { line, rule } = renderRule(ruleModel, tableModel, chainIndex);
        lines.push(line);
        table.chains[chainIndex].rules.push(rule);
      }
    });
    lines.push({ text: 'COMMIT' });
  }
  // Sprinkle comments and blank lines between the lines.
  model.noise.forEach((text, index) => lines.splice((index * 7) % (lines.length + 1), 0, { text }));
  lines.forEach((line, index) => line.placed?.(index + 1));

  const anyAddress = tables.some((table) => table.chains.some((chain) => chain.rules.some((rule) => rule.source || rule.destination)));
  const family = model.family === 6 && (model.header || anyAddress) ? 6 : 4;
  return { text: lines.map((line) => line.text).join('\n') + '\n', expected: { family, tables, warnings: [] } };
}

describe('round trip of random rulesets', () => {
  it('parses what was rendered, with every line number', () => {
    fc.assert(
      fc.property(rulesetModel, (model) => {
        const { text, expected } = render(model);
        assert.deepEqual(parseIptablesSave(text), expected, text);
      }),
      { numRuns: 300 },
    );
  });
});

/** Rule specs of which some are the same rule written differently (-D must treat those as equal). */
const SPEC_POOL: { spec: string; identity: number }[] = [
  { spec: '-s 10.0.0.1/32 -j ACCEPT', identity: 0 },
  { spec: '-p tcp --dport 22 -j ACCEPT', identity: 1 },
  { spec: '-p tcp -m tcp --dport 22 -j ACCEPT', identity: 1 },
  { spec: '--protocol tcp  -m tcp  --dport 22 --jump ACCEPT', identity: 1 },
  { spec: '! -s 10.0.0.1/32 -j ACCEPT', identity: 2 },
  { spec: '-m comment --comment "a b" -j DROP', identity: 3 },
  { spec: '-m comment --comment a" b" -j DROP', identity: 3 },
  { spec: '-j DROP', identity: 4 },
];

type Operation =
  | { op: 'append'; spec: number }
  | { op: 'insert'; at: number; spec: number; explicitPosition: boolean }
  | { op: 'replace'; at: number; spec: number }
  | { op: 'delete-number'; at: number }
  | { op: 'delete-spec'; spec: number }
  | { op: 'flush' };

const specIndex = fc.nat({ max: SPEC_POOL.length - 1 });
const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ op: fc.constant('append' as const), spec: specIndex }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), spec: specIndex, explicitPosition: fc.boolean() }),
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), spec: specIndex }),
  fc.record({ op: fc.constant('delete-number' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('delete-spec' as const), spec: specIndex }),
  fc.record({ op: fc.constant('flush' as const) }),
);

describe('commands against a model chain', () => {
  it('-A, -I, -R, -D (by number and by spec) and -F leave the rules a list model predicts', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 25 }), (operations) => {
        const lines = ['*filter'];
        let model: { line: number; spec: string; identity: number }[] = [];
        for (const operation of operations) {
          const line = lines.length + 1;
          switch (operation.op) {
            case 'append': {
              const { spec, identity } = SPEC_POOL[operation.spec];
              lines.push(`-A INPUT ${spec}`);
              model.push({ line, spec, identity });
              break;
            }
            case 'insert': {
              const { spec, identity } = SPEC_POOL[operation.spec];
              const position = operation.explicitPosition ? (operation.at % (model.length + 1)) + 1 : 1;
              lines.push(operation.explicitPosition ? `-I INPUT ${position} ${spec}` : `-I INPUT ${spec}`);
              model.splice(position - 1, 0, { line, spec, identity });
              break;
            }
            case 'replace': {
              if (model.length === 0) break;
              const { spec, identity } = SPEC_POOL[operation.spec];
              const number = (operation.at % model.length) + 1;
              lines.push(`-R INPUT ${number} ${spec}`);
              model[number - 1] = { line, spec, identity };
              break;
            }
            case 'delete-number': {
              if (model.length === 0) break;
              const number = (operation.at % model.length) + 1;
              lines.push(`-D INPUT ${number}`);
              model.splice(number - 1, 1);
              break;
            }
            case 'delete-spec': {
              const { spec, identity } = SPEC_POOL[operation.spec];
              const index = model.findIndex((rule) => rule.identity === identity);
              if (index < 0) break;
              lines.push(`-D INPUT ${spec}`);
              model.splice(index, 1);
              break;
            }
            case 'flush':
              lines.push('-F INPUT');
              model = [];
              break;
          }
        }
        lines.push('COMMIT');
        const ruleset = parseIptablesSave(lines.join('\n'));
        assert.deepEqual(
          findChain(ruleset, 'filter', 'INPUT').rules.map((rule) => [rule.line, rule.spec]),
          model.map((rule) => [rule.line, rule.spec.replace(/ +/g, ' ')]),
          lines.join('\n'),
        );
      }),
      { numRuns: 300 },
    );
  });
});
