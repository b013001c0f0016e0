/**
 * The syntax tree of an iptables-save / ip6tables-save file (or a hand-written
 * iptables-restore file), after the file's commands have been applied in order.
 * Every node keeps the 1-based line it came from. Nothing here interprets
 * semantics: option values are kept as written.
 */

/** A [packets:bytes] pair, as iptables-save -c writes them. */
export interface Counters {
  packets: bigint;
  bytes: bigint;
}

/** A value that may be negated with `!` (either `! -s x` or the old `-s ! x`). */
export interface Negatable<T> {
  value: T;
  negated: boolean;
}

/** One option of a match module or target: `--dport 80`, `! --syn`, `--tcp-flags SYN,ACK SYN`. */
export interface ModuleOption {
  /** The option's name without leading dashes, as written (`dport`, `dports`, `tcp-flags`). */
  name: string;
  negated: boolean;
  /** The option's arguments, unquoted and unescaped. */
  values: string[];
}

/** A match module: `-m tcp --dport 22`, or the implicit protocol match of `-p tcp --dport 22`. */
export interface MatchModule {
  name: string;
  /** True when the module was not named with -m but loaded implicitly by -p (iptables does this). */
  implicit: boolean;
  options: ModuleOption[];
}

export interface Target {
  /** `-j` jumps (and returns), `-g` goes to a chain without coming back. */
  kind: 'jump' | 'goto';
  /** A chain name or a target extension (ACCEPT, DROP, REJECT, RETURN, LOG, MARK, …). */
  name: string;
  options: ModuleOption[];
}

export interface Rule {
  /** 1-based line of the command that put the rule where it is (-A, -I or -R). */
  line: number;
  /** The rule's text as written on that line (trimmed; counters prefix included). */
  text: string;
  /** The rule specification alone: the line without the command, chain and position. */
  spec: string;
  counters?: Counters;
  protocol?: Negatable<string>;
  source?: Negatable<string>;
  destination?: Negatable<string>;
  inInterface?: Negatable<string>;
  outInterface?: Negatable<string>;
  /** `-f`: the rule matches only second and further fragments (negated: only unfragmented/first). */
  fragment?: Negatable<true>;
  /** `-4` / `-6`: the rule applies only to that family (iptables-restore skips a -6 rule, ip6tables-restore a -4 one). */
  familyOnly?: 4 | 6;
  matches: MatchModule[];
  /** Absent for a rule with no target (it only counts packets). */
  target?: Target;
}

export interface Chain {
  name: string;
  /** Line of the `:NAME POLICY [p:b]` declaration or of the `-N` command. */
  line: number;
  builtin: boolean;
  /** The built-in chain's policy (ACCEPT or DROP); null for user chains. */
  policy: string | null;
  /** Line that set the policy last (`:` line or `-P` command); undefined for user chains. */
  policyLine?: number;
  counters?: Counters;
  rules: Rule[];
}

export interface Table {
  name: string;
  /** Line of `*name`. */
  line: number;
  /** Chains in the order they were declared. */
  chains: Chain[];
}

/** A non-fatal remark about the input (for example a policy on a user chain that iptables-restore ignores). */
export interface ParseWarning {
  line: number;
  message: string;
}

export interface Ruleset {
  /** 4 for iptables-save, 6 for ip6tables-save; from the header comment, else from the addresses used; 4 if nothing tells. */
  family: 4 | 6;
  tables: Table[];
  warnings: ParseWarning[];
}

/** A located error: the line (and, when known, the 1-based column) and what was expected there. */
export class IptablesSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly expected: string,
    readonly column?: number,
  ) {
    super(`line ${line}${column !== undefined ? `:${column}` : ''}: ${expected}`);
    this.name = 'IptablesSyntaxError';
  }
}
