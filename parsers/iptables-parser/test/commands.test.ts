import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findChain, parseFilter, parseLines, specsOf } from './helpers';

describe('commands applied in order', () => {
  it('-A and --append add at the end', () => {
    const ruleset = parseFilter('-A INPUT -s 1.1.1.1', '--append INPUT -s 2.2.2.2');
    assert.deepEqual(specsOf(ruleset, 'filter', 'INPUT'), ['-s 1.1.1.1', '-s 2.2.2.2']);
  });

  it('-I inserts at the given 1-based position, at the top by default, and at length+1 at the end', () => {
    const ruleset = parseFilter(
      '-A INPUT -s 1.1.1.1',
      '-A INPUT -s 2.2.2.2',
      '-I INPUT -s 0.0.0.1',
      '-I INPUT 3 -s 1.5.5.5',
      '--insert INPUT 5 -s 3.3.3.3',
      '-I INPUT 1 -s 0.0.0.0',
    );
    assert.deepEqual(specsOf(ruleset, 'filter', 'INPUT'), [
      '-s 0.0.0.0',
      '-s 0.0.0.1',
      '-s 1.1.1.1',
      '-s 1.5.5.5',
      '-s 2.2.2.2',
      '-s 3.3.3.3',
    ]);
    assert.deepEqual(
      findChain(ruleset, 'filter', 'INPUT').rules.map((rule) => rule.line),
      [7, 4, 2, 5, 3, 6],
    );
  });

  it('-I into an empty chain at position 1', () => {
    assert.deepEqual(specsOf(parseFilter('-I INPUT 1 -j DROP'), 'filter', 'INPUT'), ['-j DROP']);
  });

  it('-D with a specification deletes the first identical rule', () => {
    const ruleset = parseFilter(
      '-A INPUT -s 1.1.1.1 -j DROP',
      '-A INPUT -s 2.2.2.2 -j DROP',
      '-A INPUT -s 1.1.1.1 -j DROP',
      '-D INPUT -s 1.1.1.1 -j DROP',
    );
    assert.deepEqual(
      findChain(ruleset, 'filter', 'INPUT').rules.map((rule) => [rule.line, rule.spec]),
      [
        [3, '-s 2.2.2.2 -j DROP'],
        [4, '-s 1.1.1.1 -j DROP'],
      ],
    );
  });

  it('-D compares parsed rules, not text: spacing, quoting, counters and an implicit protocol match do not matter', () => {
    const ruleset = parseFilter(
      '[5:6] -A INPUT -p tcp -m tcp --dport 22 -m comment --comment "ssh" -j ACCEPT',
      '-A INPUT -j DROP',
      '--delete INPUT  -p tcp  --dport 22 -m comment --comment ssh   -j ACCEPT',
    );
    assert.deepEqual(specsOf(ruleset, 'filter', 'INPUT'), ['-j DROP']);
  });

  it('-D tells negated from plain and different targets apart', () => {
    const ruleset = parseFilter('-A INPUT ! -s 1.1.1.1 -j DROP', '-A INPUT -s 1.1.1.1 -j DROP', '-D INPUT -s 1.1.1.1 -j DROP');
    assert.deepEqual(specsOf(ruleset, 'filter', 'INPUT'), ['! -s 1.1.1.1 -j DROP']);
  });

  it('-D with a number deletes that rule', () => {
    const ruleset = parseFilter('-A INPUT -s 1.1.1.1', '-A INPUT -s 2.2.2.2', '-A INPUT -s 3.3.3.3', '-D INPUT 2');
    assert.deepEqual(specsOf(ruleset, 'filter', 'INPUT'), ['-s 1.1.1.1', '-s 3.3.3.3']);
  });

  it('-R replaces the numbered rule and takes its line', () => {
    const ruleset = parseFilter('-A INPUT -s 1.1.1.1', '-A INPUT -s 2.2.2.2', '--replace INPUT 2 -s 9.9.9.9 -j DROP');
    const rules = findChain(ruleset, 'filter', 'INPUT').rules;
    assert.deepEqual(
      rules.map((rule) => [rule.line, rule.spec]),
      [
        [2, '-s 1.1.1.1'],
        [4, '-s 9.9.9.9 -j DROP'],
      ],
    );
    assert.equal(rules[1].text, '--replace INPUT 2 -s 9.9.9.9 -j DROP');
  });

  it('-C checks that a rule exists and changes nothing', () => {
    const ruleset = parseFilter('-A INPUT -j ACCEPT', '-C INPUT -j ACCEPT');
    assert.deepEqual(specsOf(ruleset, 'filter', 'INPUT'), ['-j ACCEPT']);
  });

  it('-F empties one chain or, without a name, every chain', () => {
    const one = parseFilter(':USER - [0:0]', '-A INPUT -j USER', '-A USER -j DROP', '-F USER');
    assert.deepEqual(specsOf(one, 'filter', 'USER'), []);
    assert.deepEqual(specsOf(one, 'filter', 'INPUT'), ['-j USER']);
    const all = parseFilter(':USER - [0:0]', '-A INPUT -j USER', '-A USER -j DROP', '--flush');
    assert.deepEqual(specsOf(all, 'filter', 'USER'), []);
    assert.deepEqual(specsOf(all, 'filter', 'INPUT'), []);
  });

  it('-N creates a user chain at its line, -X deletes one or all unreferenced empty user chains', () => {
    const created = parseFilter('-N USER', '--new-chain OTHER', '-A USER -j DROP');
    assert.deepEqual(
      created.tables[0].chains.map((chain) => [chain.name, chain.line, chain.builtin, chain.policy]),
      [
        ['USER', 2, false, null],
        ['OTHER', 3, false, null],
        ['INPUT', 1, true, 'ACCEPT'],
        ['FORWARD', 1, true, 'ACCEPT'],
        ['OUTPUT', 1, true, 'ACCEPT'],
      ],
    );
    const deleted = parseFilter(':A - [0:0]', ':B - [0:0]', ':C - [0:0]', '-X B');
    assert.deepEqual(
      deleted.tables[0].chains.map((chain) => chain.name),
      ['A', 'C', 'INPUT', 'FORWARD', 'OUTPUT'],
    );
    const all = parseFilter(':A - [0:0]', '-A INPUT -j A', '-A A -j DROP', '-F', '--delete-chain');
    assert.deepEqual(
      all.tables[0].chains.map((chain) => chain.name),
      ['INPUT', 'FORWARD', 'OUTPUT'],
    );
  });

  it('-E renames a user chain and the rules that jump to it', () => {
    const ruleset = parseFilter(
      ':OLD - [0:0]',
      '-A INPUT -j OLD',
      '-A FORWARD -g OLD',
      '-A OLD -j DROP',
      '--rename-chain OLD NEW',
      '-D INPUT -j NEW',
    );
    const renamed = findChain(ruleset, 'filter', 'NEW');
    assert.equal(renamed.line, 2);
    assert.deepEqual(specsOf(ruleset, 'filter', 'NEW'), ['-j DROP']);
    assert.deepEqual(specsOf(ruleset, 'filter', 'INPUT'), []);
    const [gotoRule] = findChain(ruleset, 'filter', 'FORWARD').rules;
    assert.deepEqual(gotoRule.target, { kind: 'goto', name: 'NEW', options: [] });
    assert.equal(gotoRule.text, '-A FORWARD -g OLD');
  });

  it('-P sets a built-in policy and the line that set it; -c gives its counters', () => {
    const ruleset = parseFilter(':INPUT ACCEPT [1:2]', '-P INPUT DROP', '--policy FORWARD DROP -c 5 6');
    const input = findChain(ruleset, 'filter', 'INPUT');
    assert.deepEqual([input.policy, input.policyLine, input.line, input.counters], ['DROP', 3, 2, { packets: 1n, bytes: 2n }]);
    const forward = findChain(ruleset, 'filter', 'FORWARD');
    assert.deepEqual([forward.policy, forward.policyLine, forward.counters], ['DROP', 4, { packets: 5n, bytes: 6n }]);
  });

  it('-Z zeroes the counters of a rule, a chain or the table', () => {
    const lines = ['[1:1] -A INPUT -j ACCEPT', '[2:2] -A INPUT -j DROP', '[3:3] -A OUTPUT -j DROP'];
    const zero = { packets: 0n, bytes: 0n };
    const counters = (zeroLine: string): unknown[] => {
      const ruleset = parseFilter(...lines, zeroLine);
      return ['INPUT', 'OUTPUT'].flatMap((chain) => findChain(ruleset, 'filter', chain).rules.map((rule) => rule.counters));
    };
    assert.deepEqual(counters('-Z INPUT 2'), [{ packets: 1n, bytes: 1n }, zero, { packets: 3n, bytes: 3n }]);
    assert.deepEqual(counters('-Z INPUT'), [zero, zero, { packets: 3n, bytes: 3n }]);
    assert.deepEqual(counters('--zero'), [zero, zero, zero]);
  });

  it('a second table block replaces the first, as iptables-restore flushes the table', () => {
    const ruleset = parseLines('*filter', '-A INPUT -j DROP', 'COMMIT', '*filter', ':USER - [0:0]', 'COMMIT');
    assert.equal(ruleset.tables.length, 1);
    assert.equal(ruleset.tables[0].line, 4);
    assert.deepEqual(specsOf(ruleset, 'filter', 'INPUT'), []);
    assert.deepEqual(ruleset.warnings, [{ line: 4, message: 'table filter appears again; iptables-restore replaces the one from line 1' }]);
  });
});
