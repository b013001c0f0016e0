import { type Counters, IptablesSyntaxError, type MatchModule, type ModuleOption, type Negatable, type Rule, type Target } from './ast';
import { MAX_CHAIN_NAME_LENGTH, MAX_INTERFACE_NAME_LENGTH, isProtocolMatchOption, protocolMatchName } from './catalog';
import { type Token } from './tokenizer';

export type CommandKind =
  'append' | 'insert' | 'delete' | 'replace' | 'check' | 'flush' | 'zero' | 'new-chain' | 'delete-chain' | 'rename-chain' | 'policy';

/** The parts of a rule that its options describe (everything but where it came from). */
export type RuleBody = Pick<
  Rule,
  'protocol' | 'source' | 'destination' | 'inInterface' | 'outInterface' | 'fragment' | 'familyOnly' | 'matches' | 'target'
>;

/** One command line, read but not yet applied to a table. */
export interface Command {
  kind: CommandKind;
  /** The command as written (`-A`, `--append`), for messages. */
  flag: string;
  chain?: string;
  chainColumn?: number;
  /** -I position, -R/-D/-Z rule number (1-based). */
  ruleNumber?: number;
  ruleNumberColumn?: number;
  /** -E's new name. */
  newName?: string;
  newNameColumn?: number;
  /** -P's policy. */
  policy?: string;
  policyColumn?: number;
  body: RuleBody;
  targetColumn?: number;
  /** From `-c PKTS BYTES`. */
  counters?: Counters;
  /** The rule specification: the line's words without the command, its arguments and the counters. */
  spec: string;
}

type BaseField = 'protocol' | 'source' | 'destination' | 'inInterface' | 'outInterface';

type OptionKind =
  | { type: 'command'; command: CommandKind }
  | { type: 'address-or-name'; field: BaseField }
  | { type: 'fragment' }
  | { type: 'match' }
  | { type: 'target'; kind: Target['kind'] }
  | { type: 'family'; family: 4 | 6 }
  | { type: 'counters' }
  | { type: 'table' }
  | { type: 'listing' };

/** The options iptables itself defines (everything else belongs to a match or target extension). */
const OPTION_DEFINITIONS: ReadonlyArray<{ names: readonly string[]; kind: OptionKind }> = [
  { names: ['-A', '--append'], kind: { type: 'command', command: 'append' } },
  { names: ['-I', '--insert'], kind: { type: 'command', command: 'insert' } },
  { names: ['-D', '--delete'], kind: { type: 'command', command: 'delete' } },
  { names: ['-R', '--replace'], kind: { type: 'command', command: 'replace' } },
  { names: ['-C', '--check'], kind: { type: 'command', command: 'check' } },
  { names: ['-F', '--flush'], kind: { type: 'command', command: 'flush' } },
  { names: ['-Z', '--zero'], kind: { type: 'command', command: 'zero' } },
  { names: ['-N', '--new-chain'], kind: { type: 'command', command: 'new-chain' } },
  { names: ['-X', '--delete-chain'], kind: { type: 'command', command: 'delete-chain' } },
  { names: ['-E', '--rename-chain'], kind: { type: 'command', command: 'rename-chain' } },
  { names: ['-P', '--policy'], kind: { type: 'command', command: 'policy' } },
  { names: ['-p', '--protocol'], kind: { type: 'address-or-name', field: 'protocol' } },
  { names: ['-s', '--source', '--src'], kind: { type: 'address-or-name', field: 'source' } },
  { names: ['-d', '--destination', '--dst'], kind: { type: 'address-or-name', field: 'destination' } },
  { names: ['-i', '--in-interface'], kind: { type: 'address-or-name', field: 'inInterface' } },
  { names: ['-o', '--out-interface'], kind: { type: 'address-or-name', field: 'outInterface' } },
  { names: ['-f', '--fragment'], kind: { type: 'fragment' } },
  { names: ['-m', '--match'], kind: { type: 'match' } },
  { names: ['-j', '--jump'], kind: { type: 'target', kind: 'jump' } },
  { names: ['-g', '--goto'], kind: { type: 'target', kind: 'goto' } },
  { names: ['-4', '--ipv4'], kind: { type: 'family', family: 4 } },
  { names: ['-6', '--ipv6'], kind: { type: 'family', family: 6 } },
  { names: ['-c', '--set-counters'], kind: { type: 'counters' } },
  { names: ['-t', '--table'], kind: { type: 'table' } },
  { names: ['-L', '--list', '-S', '--list-rules'], kind: { type: 'listing' } },
];

const OPTION_BY_NAME = new Map(OPTION_DEFINITIONS.flatMap((definition) => definition.names.map((name) => [name, definition] as const)));

/**
 * getopt_long accepts an unambiguous prefix of a long option (`--proto`).
 * Only used for an option no module or target can take, since a module's own
 * options (policy's `--proto`, recent's `--set`) would win in iptables.
 */
function optionByPrefix(word: string): (typeof OPTION_DEFINITIONS)[number] | undefined {
  const candidates = new Set(
    OPTION_DEFINITIONS.filter((definition) => definition.names.some((name) => name.startsWith('--') && name.startsWith(word))),
  );
  return candidates.size === 1 ? [...candidates][0] : undefined;
}

/** Commands that take a rule specification; the others refuse rule options. */
const RULE_COMMANDS: ReadonlySet<CommandKind> = new Set(['append', 'insert', 'replace', 'check', 'delete']);
/** Commands that accept -c (iptables' OPT_COUNTERS). */
const COUNTER_COMMANDS: ReadonlySet<CommandKind> = new Set(['append', 'insert', 'replace', 'policy']);

const FIELD_FLAGS: Readonly<Record<BaseField, string>> = {
  protocol: '-p',
  source: '-s',
  destination: '-d',
  inInterface: '-i',
  outInterface: '-o',
};

function isOption(token: Token): boolean {
  return !token.quoted && token.value.startsWith('-');
}

function isBang(token: Token | undefined): boolean {
  return token !== undefined && !token.quoted && token.value === '!';
}

/** An argument of a module or target option: quoted, or not starting with `-`, and not a lone `!`. */
function isOptionValue(token: Token | undefined): token is Token {
  return token !== undefined && (token.quoted || (!token.value.startsWith('-') && token.value !== '!'));
}

/** iptables' xs_has_arg: an optional argument is there when the next word starts with neither `-` nor `!`. */
function isOptionalArgument(token: Token | undefined): token is Token {
  return token !== undefined && !token.value.startsWith('-') && !token.value.startsWith('!');
}

const DECIMAL = /^\d+$/;

/** A holder of `--options`: a match module or the target. */
type OptionOwner = MatchModule | Target;

/** Reads the words of one command line (after any `[p:b]` prefix) the way iptables' do_parse does. */
class CommandLineReader {
  private position = 0;
  private pendingNegation: Token | undefined;
  private command: Command | undefined;
  private counters: Counters | undefined;
  /** Words that are not part of the rule specification (the command with its arguments, -c with its counts). */
  private readonly nonSpecPositions = new Set<number>();
  /** First word that only a rule command may carry, for the "illegal option" error. */
  private firstRuleOption: Token | undefined;
  /** Only fields the line sets are present, so a rule spreads it without undefined keys. */
  private readonly body: RuleBody = { matches: [] };
  private targetColumn: number | undefined;
  /** The module or target named last, until a base option ends its run of options. */
  private openOwner: OptionOwner | undefined;
  private lastOwner: OptionOwner | undefined;
  /** The match module `-p` loads when an option needs it. */
  private protocolMatch: string | undefined;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly line: number,
    private readonly source?: { text: string; firstColumn: number },
  ) {}

  read(): Command {
    while (this.position < this.tokens.length) this.readWord();
    if (this.pendingNegation) {
      throw this.error('expected an option after "!", found the end of the line', this.pendingNegation);
    }
    if (!this.command) {
      throw new IptablesSyntaxError(this.line, 'expected a command (-A, -I, -D, -R, -N, -X, -F, -Z, -E, -P or -C)');
    }
    const command = this.command;
    const takesRule = RULE_COMMANDS.has(command.kind) && !(command.kind === 'delete' && command.ruleNumber !== undefined);
    if (!takesRule && this.firstRuleOption) {
      throw this.error(`${this.firstRuleOption.value} cannot be used with ${command.flag}: expected no rule options`, this.firstRuleOption);
    }
    if (this.counters && !COUNTER_COMMANDS.has(command.kind)) {
      throw new IptablesSyntaxError(this.line, `-c cannot be used with ${command.flag}: expected counters only with -A, -I, -R or -P`);
    }
    if (takesRule) this.checkInterfaceDirection(command.chain ?? '');
    command.spec = this.specText();
    command.targetColumn = this.targetColumn;
    command.counters = this.counters;
    return command;
  }

  /**
   * The rule specification's words joined by single spaces. Where they stand in the line one
   * after another, one space apart (as iptables-save writes them), that is a slice of the line.
   */
  private specText(): string {
    const kept: Token[] = [];
    let contiguous = true;
    this.tokens.forEach((token, index) => {
      if (this.nonSpecPositions.has(index)) contiguous &&= kept.length === 0;
      else kept.push(token);
    });
    const first = kept[0];
    const last = kept[kept.length - 1];
    if (this.source && first && last && contiguous) {
      const { text, firstColumn } = this.source;
      const start = first.column - firstColumn;
      const end = last.column - firstColumn + last.raw.length;
      let spaced = true;
      for (let k = 1; k < kept.length && spaced; k++) {
        const at = kept[k]!.column - firstColumn;
        spaced = text.charCodeAt(at - 1) === 0x20 && at - 1 === kept[k - 1]!.column - firstColumn + kept[k - 1]!.raw.length;
      }
      if (spaced) return text.slice(start, end);
    }
    return kept.map((token) => token.raw).join(' ');
  }

  private error(expected: string, token?: Token): IptablesSyntaxError {
    return new IptablesSyntaxError(this.line, expected, token?.column);
  }

  private readWord(): void {
    const token = this.tokens[this.position];
    if (isBang(token)) {
      if (this.pendingNegation) throw this.error('expected an option after "!", found a second "!"', token);
      this.pendingNegation = token;
      this.position++;
      return;
    }
    if (!isOption(token) || token.value === '-') {
      throw this.error(`expected an option, found the argument "${token.value}"`, token);
    }
    const definition = OPTION_BY_NAME.get(token.value);
    if (definition) {
      this.position++;
      this.readOption(definition.kind, token);
    } else if (token.value.startsWith('--') && token.value.length > 2) {
      this.readExtensionOption(token);
    } else {
      throw this.error(`expected an option iptables knows, found "${token.value}"`, token);
    }
  }

  private takeNegation(): boolean {
    const negated = this.pendingNegation !== undefined;
    this.pendingNegation = undefined;
    return negated;
  }

  private refuseNegation(option: Token): void {
    if (this.pendingNegation) throw this.error(`expected no "!" before ${option.value}`, this.pendingNegation);
  }

  private readOption(kind: OptionKind, option: Token): void {
    switch (kind.type) {
      case 'command':
        this.refuseNegation(option);
        this.readCommand(kind.command, option);
        return;
      case 'address-or-name':
        this.firstRuleOption ??= option;
        this.readBaseOption(kind.field, option);
        return;
      case 'fragment':
        this.firstRuleOption ??= option;
        if (this.body.fragment) throw this.error('expected -f at most once', option);
        this.body.fragment = { value: true, negated: this.takeNegation() };
        this.openOwner = undefined;
        return;
      case 'match':
        this.firstRuleOption ??= option;
        this.refuseNegation(option);
        this.readMatch(option);
        return;
      case 'target':
        this.firstRuleOption ??= option;
        this.refuseNegation(option);
        this.readTarget(kind.kind, option);
        return;
      case 'family':
        this.refuseNegation(option);
        if (this.body.familyOnly !== undefined && this.body.familyOnly !== kind.family) {
          throw this.error('expected either -4 or -6, not both', option);
        }
        this.body.familyOnly = kind.family;
        this.openOwner = undefined;
        return;
      case 'counters':
        this.refuseNegation(option);
        this.readCounters(option);
        return;
      case 'table':
        throw this.error('expected no -t: in a restore file the table is the one opened by the last *table line', option);
      case 'listing':
        throw this.error(`expected a command that changes the ruleset, found the listing command ${option.value}`, option);
    }
  }

  private readCommand(kind: CommandKind, flag: Token): void {
    if (this.command) {
      throw this.error(`expected one command per line, found ${this.command.flag} and ${flag.value}`, flag);
    }
    this.nonSpecPositions.add(this.position - 1);
    // Every field is set up front: objects that keep one shape stay fast in V8.
    const command: Command = {
      kind,
      flag: flag.value,
      chain: undefined,
      chainColumn: undefined,
      ruleNumber: undefined,
      ruleNumberColumn: undefined,
      newName: undefined,
      newNameColumn: undefined,
      policy: undefined,
      policyColumn: undefined,
      body: this.body,
      targetColumn: undefined,
      counters: undefined,
      spec: '',
    };
    this.command = command;
    const chainRequired = kind !== 'flush' && kind !== 'zero' && kind !== 'delete-chain';
    const next = this.tokens[this.position];
    if (chainRequired ? next !== undefined && !isOption(next) : isOptionalArgument(next)) {
      command.chain = next.value;
      command.chainColumn = next.column;
      this.consumeNonSpec();
    } else if (chainRequired) {
      throw this.error(`expected a chain name after ${flag.value}`, next ?? flag);
    }
    switch (kind) {
      case 'insert':
      case 'delete':
        if (isOptionalArgument(this.tokens[this.position])) this.readRuleNumber(command);
        return;
      case 'zero':
        if (command.chain !== undefined && isOptionalArgument(this.tokens[this.position])) this.readRuleNumber(command);
        return;
      case 'replace':
        if (!isOptionalArgument(this.tokens[this.position])) {
          throw this.error(`expected a rule number after ${flag.value} ${command.chain}`, this.tokens[this.position] ?? flag);
        }
        this.readRuleNumber(command);
        return;
      case 'rename-chain': {
        const newName = this.tokens[this.position];
        if (!isOptionalArgument(newName)) {
          throw this.error(`expected the new chain name after ${flag.value} ${command.chain}`, newName ?? flag);
        }
        command.newName = newName.value;
        command.newNameColumn = newName.column;
        this.consumeNonSpec();
        return;
      }
      case 'policy': {
        const policy = this.tokens[this.position];
        if (!isOptionalArgument(policy)) {
          throw this.error(`expected a policy after ${flag.value} ${command.chain}`, policy ?? flag);
        }
        command.policy = policy.value;
        command.policyColumn = policy.column;
        this.consumeNonSpec();
        return;
      }
      default:
        return;
    }
  }

  private consumeNonSpec(): void {
    this.nonSpecPositions.add(this.position);
    this.position++;
  }

  private readRuleNumber(command: Command): void {
    const token = this.tokens[this.position];
    const number = DECIMAL.test(token.value) ? Number(token.value) : NaN;
    if (!(number >= 1 && number <= 2 ** 31 - 1)) {
      throw this.error(`expected a rule number (1 or more) after ${command.flag} ${command.chain}, found "${token.value}"`, token);
    }
    command.ruleNumber = number;
    command.ruleNumberColumn = token.column;
    this.consumeNonSpec();
  }

  /** -p/-s/-d/-i/-o: `! -s x`, or the old `-s ! x`. */
  private readBaseOption(field: BaseField, option: Token): void {
    let negated = this.takeNegation();
    if (isBang(this.tokens[this.position])) {
      if (negated) throw this.error(`expected one "!" for ${option.value}, found two`, this.tokens[this.position]);
      negated = true;
      this.position++;
    }
    const argument = this.tokens[this.position];
    if (argument === undefined || isOption(argument) || isBang(argument)) {
      throw this.error(`expected an argument after ${option.value}`, argument ?? option);
    }
    this.position++;
    if (this.body[field]) throw this.error(`expected ${FIELD_FLAGS[field]} at most once`, option);
    if (field === 'inInterface' || field === 'outInterface') this.checkInterfaceName(argument);
    const value: Negatable<string> = { value: argument.value, negated };
    this.body[field] = value;
    if (field === 'protocol') this.protocolMatch = protocolMatchName(argument.value);
    this.openOwner = undefined;
  }

  private checkInterfaceName(argument: Token): void {
    if (argument.value === '') throw this.error('expected an interface name, found an empty one', argument);
    if (argument.value.length > MAX_INTERFACE_NAME_LENGTH) {
      throw this.error(
        `expected an interface name of at most ${MAX_INTERFACE_NAME_LENGTH} characters, found "${argument.value}"`,
        argument,
      );
    }
  }

  /** iptables refuses -o where packets have no output interface yet, and -i where they have no input one. */
  private checkInterfaceDirection(chain: string): void {
    if ((chain === 'INPUT' || chain === 'PREROUTING') && this.body.outInterface) {
      throw new IptablesSyntaxError(this.line, `expected no -o in chain ${chain}: packets there have no output interface yet`);
    }
    if ((chain === 'OUTPUT' || chain === 'POSTROUTING') && this.body.inInterface) {
      throw new IptablesSyntaxError(this.line, `expected no -i in chain ${chain}: packets there have no input interface`);
    }
  }

  private readMatch(option: Token): void {
    const name = this.tokens[this.position];
    if (name === undefined || isOption(name) || name.value === '') {
      throw this.error(`expected a match name after ${option.value}`, name ?? option);
    }
    this.position++;
    const module: MatchModule = { name: name.value, implicit: false, options: [] };
    this.body.matches.push(module);
    this.openOwner = module;
    this.lastOwner = module;
  }

  private readTarget(kind: Target['kind'], option: Token): void {
    if (this.body.target) throw this.error(`expected one -j or -g per rule, found ${option.value} again`, option);
    const name = this.tokens[this.position];
    if (name === undefined || isOption(name)) throw this.error(`expected a target after ${option.value}`, name ?? option);
    if (name.value === '' || name.value.length > MAX_CHAIN_NAME_LENGTH) {
      throw this.error(`expected a target name of 1 to ${MAX_CHAIN_NAME_LENGTH} characters after ${option.value}`, name);
    }
    this.position++;
    const target: Target = { kind, name: name.value, options: [] };
    this.body.target = target;
    this.targetColumn = name.column;
    this.openOwner = target;
    this.lastOwner = target;
  }

  /** `-c PKTS BYTES` or `-c PKTS,BYTES`. */
  private readCounters(option: Token): void {
    if (this.counters) throw this.error('expected -c at most once', option);
    this.nonSpecPositions.add(this.position - 1);
    const first = this.tokens[this.position];
    if (first === undefined) throw this.error(`expected packet and byte counters after ${option.value}`, option);
    this.consumeNonSpec();
    const [packets, written] = first.value.split(',', 2) as [string, string | undefined];
    let bytes = written;
    if (bytes === undefined && isOptionalArgument(this.tokens[this.position])) {
      bytes = this.tokens[this.position].value;
      this.consumeNonSpec();
    }
    if (bytes === undefined || !DECIMAL.test(packets) || !DECIMAL.test(bytes)) {
      throw this.error(`expected decimal packet and byte counters after ${option.value}`, first);
    }
    this.counters = { packets: BigInt(packets), bytes: BigInt(bytes) };
  }

  /** `--name [!] [values…]` of a match module or the target. */
  private readExtensionOption(option: Token): void {
    const name = option.value.slice(2);
    const owner = this.ownerOf(name);
    if (!owner) {
      const definition = optionByPrefix(option.value);
      if (!definition) {
        throw this.error(`expected an option iptables knows, found "${option.value}" before any -m, -p or -j`, option);
      }
      this.position++;
      this.readOption(definition.kind, option);
      return;
    }
    this.firstRuleOption ??= option;
    this.position++;
    let negated = this.takeNegation();
    if (isBang(this.tokens[this.position]) && isOptionValue(this.tokens[this.position + 1])) {
      if (negated) throw this.error(`expected one "!" for ${option.value}, found two`, this.tokens[this.position]);
      negated = true;
      this.position++;
    }
    const values: string[] = [];
    for (let next = this.tokens[this.position]; isOptionValue(next); next = this.tokens[this.position]) {
      values.push(next.value);
      this.position++;
    }
    const moduleOption: ModuleOption = { name, negated, values };
    owner.options.push(moduleOption);
  }

  /**
   * Which module or target an extension option belongs to. Mostly the one
   * named last; but as in iptables, an option of the protocol match goes to
   * that match (loaded implicitly if `-m` did not name it), and an option
   * after a base option goes back to the last module or target.
   */
  private ownerOf(name: string): OptionOwner | undefined {
    const open = this.openOwner;
    if (open && 'implicit' in open && isProtocolMatchOption(open.name, name)) return open;
    if (this.protocolMatch && isProtocolMatchOption(this.protocolMatch, name)) return this.protocolModule(this.protocolMatch);
    if (open) return open;
    if (this.lastOwner) return this.lastOwner;
    return this.protocolMatch ? this.protocolModule(this.protocolMatch) : undefined;
  }

  private protocolModule(name: string): MatchModule {
    const existing = this.body.matches.find((module) => module.name === name);
    if (existing) return existing;
    const module: MatchModule = { name, implicit: true, options: [] };
    this.body.matches.push(module);
    return module;
  }
}

/**
 * Reads one command line of a restore file (`-A INPUT -p tcp --dport 22 -j ACCEPT`).
 * Checks everything that does not depend on the table's chains. `source` is the text the tokens
 * were split from and the column of its first character, so the specification can be a slice of it.
 */
export function readCommandLine(tokens: readonly Token[], line: number, source?: { text: string; firstColumn: number }): Command {
  return new CommandLineReader(tokens, line, source).read();
}
