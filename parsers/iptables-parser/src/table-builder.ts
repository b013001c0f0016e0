import { type Chain, type Counters, IptablesSyntaxError, type ParseWarning, type Rule, type Table } from './ast';
import { BUILTIN_CHAINS, MAX_CHAIN_NAME_LENGTH, POLICIES, isKnownTarget, protocolMatchName } from './catalog';
import { type Command, type RuleBody } from './command-line';

/** A word of a `:CHAIN POLICY [p:b]` line with its 1-based column. */
export interface Word {
  value: string;
  column: number;
}

/** Where a rule command came from, besides what `readCommandLine` found in it. */
export interface CommandSource {
  line: number;
  /** The trimmed source line. */
  text: string;
  /** Counters from a `[p:b]` prefix; an explicit -c on the line wins, as in iptables-restore run without --counters. */
  prefixCounters?: Counters;
}

const COUNTERS_WORD = /^\[(\d+):(\d+)\]$/;

/**
 * What iptables compares when -D or -C looks for "the same rule": the rule's
 * matches and target, not its text, counters or whether a protocol match was
 * loaded implicitly (`-p tcp --dport 22` is `-p tcp -m tcp --dport 22`).
 */
function ruleIdentity(body: RuleBody): string {
  return JSON.stringify([
    body.protocol && [protocolMatchName(body.protocol.value), body.protocol.negated],
    body.source,
    body.destination,
    body.inInterface,
    body.outInterface,
    body.fragment,
    body.familyOnly,
    body.matches.map((module) => [module.name, module.options]),
    body.target,
  ]);
}

/** One table between `*name` and COMMIT, with the file's commands applied in order as iptables-restore applies them. */
export class TableBuilder {
  private readonly chainsByName = new Map<string, Chain>();
  /** Chains in declaration order; built-in chains join when a `:` line names them. */
  private readonly declaredChains: Chain[] = [];

  constructor(
    readonly name: string,
    readonly line: number,
    private readonly warnings: ParseWarning[],
  ) {
    for (const builtin of BUILTIN_CHAINS[name]) {
      this.chainsByName.set(builtin, { name: builtin, line, builtin: true, policy: 'ACCEPT', rules: [] });
    }
  }

  /** A `:NAME POLICY [p:b]` line, given as its words after the colon. */
  declareChain(words: readonly Word[], line: number): void {
    const [name, policy, ...rest] = words;
    if (!name) throw new IptablesSyntaxError(line, 'expected a chain name after ":"');
    this.checkChainName(name, line);
    if (!policy) {
      throw new IptablesSyntaxError(line, `expected a policy after chain ${name.value} (ACCEPT or DROP, or "-" for a user chain)`);
    }
    const existing = this.chainsByName.get(name.value);
    if (existing?.builtin) {
      this.declareBuiltin(existing, policy, rest, line);
      return;
    }
    if (policy.value !== '-') {
      throw new IptablesSyntaxError(
        line,
        `expected "-" as the policy of user chain ${name.value} in table ${this.name}: only built-in chains have a policy`,
        policy.column,
      );
    }
    const counters = rest.length > 0 ? COUNTERS_WORD.exec(rest[0].value) : null;
    const ignored = counters ? rest.slice(1) : rest;
    if (ignored.length > 0) {
      this.warn(
        line,
        `iptables-restore ignores "${ignored.map((word) => word.value).join(' ')}" after the "-" of user chain ${name.value}`,
      );
    }
    if (existing) {
      this.warn(line, `chain ${name.value} is declared again (first at line ${existing.line}); like iptables-nft-restore this empties it`);
      existing.rules = [];
      return;
    }
    const chain: Chain = { name: name.value, line, builtin: false, policy: null, rules: [] };
    if (counters) chain.counters = { packets: BigInt(counters[1]), bytes: BigInt(counters[2]) };
    this.addUserChain(chain);
  }

  private declareBuiltin(chain: Chain, policy: Word, rest: readonly Word[], line: number): void {
    if (policy.value !== '-') {
      if (!POLICIES.has(policy.value)) {
        throw new IptablesSyntaxError(
          line,
          `expected ACCEPT or DROP as the policy of built-in chain ${chain.name}, found "${policy.value}"`,
          policy.column,
        );
      }
      chain.policy = policy.value;
      chain.policyLine = line;
    }
    if (rest.length > 0) {
      const counters = COUNTERS_WORD.exec(rest[0].value);
      if (!counters) throw new IptablesSyntaxError(line, `expected counters [packets:bytes], found "${rest[0].value}"`, rest[0].column);
      chain.counters = { packets: BigInt(counters[1]), bytes: BigInt(counters[2]) };
      if (rest.length > 1) {
        this.warn(
          line,
          `iptables-restore ignores "${rest
            .slice(1)
            .map((word) => word.value)
            .join(' ')}" after the counters of chain ${chain.name}`,
        );
      }
    }
    if (!this.declaredChains.includes(chain)) {
      chain.line = line;
      this.declaredChains.push(chain);
    }
  }

  apply(command: Command, source: CommandSource): void {
    this.applyCommand(command, source);
    const addsRule = command.kind === 'append' || command.kind === 'insert' || command.kind === 'replace';
    const target = command.body.target && this.chainsByName.get(command.body.target.name);
    if (addsRule && target) this.refuseReachableLoop(this.requireChain(command, source.line), target, source.line);
  }

  private applyCommand(command: Command, source: CommandSource): void {
    switch (command.kind) {
      case 'append':
        this.requireChain(command, source.line).rules.push(this.makeRule(command, source));
        return;
      case 'insert': {
        const chain = this.requireChain(command, source.line);
        const position = command.ruleNumber ?? 1;
        if (position > chain.rules.length + 1) {
          throw this.ruleNumberError(command, source.line, chain, `a position from 1 to ${chain.rules.length + 1}`);
        }
        chain.rules.splice(position - 1, 0, this.makeRule(command, source));
        return;
      }
      case 'replace': {
        const chain = this.requireChain(command, source.line);
        const index = this.existingRuleIndex(command, source.line, chain);
        chain.rules[index] = this.makeRule(command, source);
        return;
      }
      case 'delete': {
        const chain = this.requireChain(command, source.line);
        const index =
          command.ruleNumber !== undefined
            ? this.existingRuleIndex(command, source.line, chain)
            : this.matchingRuleIndex(command, source.line, chain);
        chain.rules.splice(index, 1);
        return;
      }
      case 'check':
        this.matchingRuleIndex(command, source.line, this.requireChain(command, source.line));
        return;
      case 'flush':
        for (const chain of this.chainsInScope(command, source.line)) chain.rules = [];
        return;
      case 'zero':
        this.zero(command, source.line);
        return;
      case 'new-chain':
        this.newChain(command, source.line);
        return;
      case 'delete-chain':
        this.deleteChains(command, source.line);
        return;
      case 'rename-chain':
        this.renameChain(command, source.line);
        return;
      case 'policy':
        this.setPolicy(command, source);
        return;
    }
  }

  /** The table as COMMIT leaves it: declared chains in order, then built-in chains the file never declared. */
  finish(): Table {
    const undeclaredBuiltins = BUILTIN_CHAINS[this.name]
      .map((name) => this.chainsByName.get(name) as Chain)
      .filter((chain) => !this.declaredChains.includes(chain));
    return { name: this.name, line: this.line, chains: [...this.declaredChains, ...undeclaredBuiltins] };
  }

  private warn(line: number, message: string): void {
    this.warnings.push({ line, message });
  }

  private checkChainName(name: Word, line: number): void {
    if (name.value.startsWith('-') || name.value.startsWith('!')) {
      throw new IptablesSyntaxError(line, `expected a chain name not starting with "${name.value[0]}"`, name.column);
    }
    if (name.value.length > MAX_CHAIN_NAME_LENGTH) {
      throw new IptablesSyntaxError(
        line,
        `expected a chain name of at most ${MAX_CHAIN_NAME_LENGTH} characters, found "${name.value}"`,
        name.column,
      );
    }
  }

  /** -N and -E also refuse names of targets, which `-j` could not tell from the chain. */
  private checkNewChainName(name: Word, line: number): void {
    this.checkChainName(name, line);
    if (isKnownTarget(name.value)) {
      throw new IptablesSyntaxError(line, `expected a chain name that is not a target name, found "${name.value}"`, name.column);
    }
    if (this.chainsByName.has(name.value)) {
      throw new IptablesSyntaxError(line, `expected a new chain name: ${name.value} already exists in table ${this.name}`, name.column);
    }
  }

  private addUserChain(chain: Chain): void {
    this.chainsByName.set(chain.name, chain);
    this.declaredChains.push(chain);
  }

  private requireChain(command: Command, line: number): Chain {
    const name = command.chain ?? '';
    const chain = this.chainsByName.get(name);
    if (!chain) {
      throw new IptablesSyntaxError(
        line,
        `expected an existing chain after ${command.flag}: table ${this.name} has no chain ${name}`,
        command.chainColumn,
      );
    }
    return chain;
  }

  /** The named chain, or every chain of the table when the command names none (-F, -Z). */
  private chainsInScope(command: Command, line: number): Chain[] {
    return command.chain === undefined ? [...this.chainsByName.values()] : [this.requireChain(command, line)];
  }

  private ruleNumberError(command: Command, line: number, chain: Chain, expected: string): IptablesSyntaxError {
    return new IptablesSyntaxError(
      line,
      `expected ${expected} after ${command.flag} ${chain.name}, found ${command.ruleNumber} (the chain has ${chain.rules.length} rules)`,
      command.ruleNumberColumn,
    );
  }

  private existingRuleIndex(command: Command, line: number, chain: Chain): number {
    const number = command.ruleNumber ?? 0;
    if (number > chain.rules.length) throw this.ruleNumberError(command, line, chain, 'the number of an existing rule');
    return number - 1;
  }

  private matchingRuleIndex(command: Command, line: number, chain: Chain): number {
    this.checkTarget(command, line);
    const identity = ruleIdentity(command.body);
    const index = chain.rules.findIndex((rule) => ruleIdentity(rule) === identity);
    if (index < 0) {
      throw new IptablesSyntaxError(line, `expected a rule in chain ${chain.name} matching the ${command.flag} specification, found none`);
    }
    return index;
  }

  private makeRule(command: Command, source: CommandSource): Rule {
    this.checkTarget(command, source.line);
    const counters = command.counters ?? source.prefixCounters;
    return {
      line: source.line,
      text: source.text,
      spec: command.spec,
      ...(counters && { counters }),
      ...command.body,
    };
  }

  /**
   * A -j name that is a chain of this table jumps to it; otherwise it must be
   * a target extension iptables knows. -g only goes to user chains. iptables cannot jump
   * to a built-in chain, and nat refuses DROP.
   */
  private checkTarget(command: Command, line: number): void {
    const target = command.body.target;
    if (!target) return;
    const flag = target.kind === 'jump' ? '-j' : '-g';
    const chain = this.chainsByName.get(target.name);
    if (chain?.builtin) {
      throw new IptablesSyntaxError(
        line,
        `expected a user chain or a target after ${flag}: ${target.name} is a built-in chain`,
        command.targetColumn,
      );
    }
    if (!chain && target.kind === 'goto') {
      throw new IptablesSyntaxError(
        line,
        `expected a user chain of table ${this.name} after -g, found "${target.name}"`,
        command.targetColumn,
      );
    }
    if (!chain && !isKnownTarget(target.name)) {
      throw new IptablesSyntaxError(
        line,
        `expected a chain of table ${this.name} or a target extension after -j, found "${target.name}" (no such chain, and no target iptables knows)`,
        command.targetColumn,
      );
    }
    if (this.name === 'nat' && target.name === 'DROP') {
      throw new IptablesSyntaxError(line, 'expected no DROP in table nat: iptables does not filter there', command.targetColumn);
    }
  }

  private zero(command: Command, line: number): void {
    const zeroed = (): Counters => ({ packets: 0n, bytes: 0n });
    if (command.ruleNumber !== undefined) {
      const chain = this.requireChain(command, line);
      chain.rules[this.existingRuleIndex(command, line, chain)].counters = zeroed();
      return;
    }
    for (const chain of this.chainsInScope(command, line)) {
      if (chain.builtin) chain.counters = zeroed();
      for (const rule of chain.rules) rule.counters = zeroed();
    }
  }

  private newChain(command: Command, line: number): void {
    const name = command.chain ?? '';
    this.checkNewChainName({ value: name, column: command.chainColumn ?? 1 }, line);
    this.addUserChain({ name, line, builtin: false, policy: null, rules: [] });
  }

  /** The first rule of the table that jumps or goes to `chainName`. */
  private findReference(chainName: string): Rule | undefined {
    for (const chain of this.chainsByName.values()) {
      const rule = chain.rules.find((candidate) => candidate.target?.name === chainName);
      if (rule) return rule;
    }
    return undefined;
  }

  private deleteChains(command: Command, line: number): void {
    const chains = this.chainsInScope(command, line).filter((chain) => command.chain !== undefined || !chain.builtin);
    for (const chain of chains) {
      if (chain.builtin) {
        throw new IptablesSyntaxError(line, `expected a user chain after ${command.flag}: ${chain.name} is built in`, command.chainColumn);
      }
      if (chain.rules.length > 0) {
        throw new IptablesSyntaxError(
          line,
          `expected an empty chain for ${command.flag}: ${chain.name} still has ${chain.rules.length} rules`,
          command.chainColumn,
        );
      }
      const reference = this.findReference(chain.name);
      if (reference) {
        throw new IptablesSyntaxError(
          line,
          `expected an unreferenced chain for ${command.flag}: the rule at line ${reference.line} still jumps to ${chain.name}`,
          command.chainColumn,
        );
      }
    }
    for (const chain of chains) {
      this.chainsByName.delete(chain.name);
      this.declaredChains.splice(this.declaredChains.indexOf(chain), 1);
    }
  }

  private renameChain(command: Command, line: number): void {
    const chain = this.requireChain(command, line);
    if (chain.builtin) {
      throw new IptablesSyntaxError(line, `expected a user chain after ${command.flag}: ${chain.name} is built in`, command.chainColumn);
    }
    const newName = command.newName ?? '';
    this.checkNewChainName({ value: newName, column: command.newNameColumn ?? 1 }, line);
    for (const rules of [...this.chainsByName.values()].map((each) => each.rules)) {
      for (const rule of rules) {
        if (rule.target?.name === chain.name) rule.target.name = newName;
      }
    }
    this.chainsByName.delete(chain.name);
    chain.name = newName;
    this.chainsByName.set(newName, chain);
  }

  private setPolicy(command: Command, source: CommandSource): void {
    const chain = this.requireChain(command, source.line);
    if (!chain.builtin) {
      throw new IptablesSyntaxError(
        source.line,
        `expected a built-in chain after ${command.flag}: ${chain.name} is a user chain`,
        command.chainColumn,
      );
    }
    const policy = command.policy ?? '';
    if (!POLICIES.has(policy)) {
      throw new IptablesSyntaxError(source.line, `expected ACCEPT or DROP as the policy, found "${policy}"`, command.policyColumn);
    }
    if (this.name === 'nat' && policy === 'DROP') {
      throw new IptablesSyntaxError(
        source.line,
        'expected no DROP policy in table nat: iptables does not filter there',
        command.policyColumn,
      );
    }
    chain.policy = policy;
    chain.policyLine = source.line;
    const counters = command.counters ?? source.prefixCounters;
    if (counters) chain.counters = counters;
  }

  /**
   * The kernel refuses a ruleset in which a chain reachable from a built-in
   * chain can come back to itself, so iptables-restore fails at the rule that
   * closes such a loop or makes one reachable (a loop nothing reaches is
   * accepted). Only the new jump's target needs searching: any new loop, or
   * newly reachable one, lies beyond it.
   */
  private refuseReachableLoop(from: Chain, to: Chain, line: number): void {
    const loop = this.findLoop(to);
    if (loop && this.isReachable(from)) {
      throw new IptablesSyntaxError(
        line,
        `expected no chain loop reachable from a built-in chain, found ${loop.map((chain) => chain.name).join(' -> ')}`,
      );
    }
  }

  private chainTargets(chain: Chain): Chain[] {
    return chain.rules.flatMap((rule) => {
      const target = rule.target && this.chainsByName.get(rule.target.name);
      return target ? [target] : [];
    });
  }

  /** A loop among the chains reachable from `start`, as the chain names around it (first = last). */
  private findLoop(start: Chain): Chain[] | undefined {
    const finished = new Set<Chain>();
    const path: Chain[] = [];
    const visit = (chain: Chain): Chain[] | undefined => {
      path.push(chain);
      for (const next of this.chainTargets(chain)) {
        if (path.includes(next)) return [...path.slice(path.indexOf(next)), next];
        const loop = finished.has(next) ? undefined : visit(next);
        if (loop) return loop;
      }
      path.pop();
      finished.add(chain);
      return undefined;
    };
    return visit(start);
  }

  /** Whether packets can get to `chain`: it is built in or some built-in chain leads to it. */
  private isReachable(chain: Chain): boolean {
    const seen = new Set<Chain>();
    const pending = BUILTIN_CHAINS[this.name].map((name) => this.chainsByName.get(name) as Chain);
    for (let current = pending.pop(); current; current = pending.pop()) {
      if (current === chain) return true;
      if (seen.has(current)) continue;
      seen.add(current);
      pending.push(...this.chainTargets(current));
    }
    return false;
  }
}
