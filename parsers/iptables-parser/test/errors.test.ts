import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IptablesSyntaxError, parseIptablesSave } from '../src';
import { assertSyntaxError } from './helpers';

/** A filter table whose line 3 is `line` (line 1 is *filter, line 2 declares USER). */
const filterWith = (...lines: string[]): string => ['*filter', ':USER - [0:0]', ...lines, 'COMMIT', ''].join('\n');

describe('what iptables-restore refuses', () => {
  it('names line, column and expectation in the message', () => {
    assert.throws(
      () => parseIptablesSave(filterWith('-A INPUT -s')),
      (error: unknown) =>
        error instanceof IptablesSyntaxError &&
        error.name === 'IptablesSyntaxError' &&
        error.message === 'line 3:10: expected an argument after -s',
    );
  });

  describe('file structure', () => {
    it('a missing COMMIT at the end of the file, on the line after the last one', () => {
      assertSyntaxError('*filter\n-A INPUT -j ACCEPT\n', 3, /COMMIT for table filter \(opened at line 1\) before the end of the file/);
      assertSyntaxError('*filter\n-A INPUT -j ACCEPT', 3, /COMMIT/);
    });

    it('a new table before COMMIT', () => {
      assertSyntaxError(
        '*filter\n-A INPUT -j ACCEPT\n*nat\nCOMMIT\n',
        3,
        /COMMIT for table filter \(opened at line 1\) before a new table/,
        1,
      );
    });

    it('an unknown table name, or none', () => {
      assertSyntaxError('# x\n*foo\nCOMMIT\n', 2, /table name after "\*": filter, nat, mangle, raw, security/, 2);
      assertSyntaxError('*\nCOMMIT\n', 1, /table name/);
      assertSyntaxError('*filter nat\nCOMMIT\n', 1, /one table name/);
    });

    it('rules, chains and COMMIT outside a table', () => {
      assertSyntaxError('-A INPUT -j ACCEPT\n*filter\nCOMMIT\n', 1, /\*table line/);
      assertSyntaxError('*filter\nCOMMIT\n:INPUT ACCEPT [0:0]\n', 3, /\*table line/);
      assertSyntaxError('*filter\nCOMMIT\nCOMMIT\n', 3, /\*table line/);
    });
  });

  describe('chain lines', () => {
    it('a policy on a user chain', () => {
      assertSyntaxError(filterWith(':LOGGING DROP [0:0]'), 3, /"-" as the policy of user chain LOGGING/, 10);
    });

    it('a chain that is built in elsewhere but not in this table is a user chain', () => {
      assertSyntaxError('*nat\n:FORWARD ACCEPT [0:0]\nCOMMIT\n', 2, /user chain FORWARD in table nat/);
    });

    it('a built-in policy other than ACCEPT or DROP', () => {
      assertSyntaxError(filterWith(':INPUT REJECT [0:0]'), 3, /ACCEPT or DROP as the policy of built-in chain INPUT, found "REJECT"/, 8);
    });

    it('a missing name or policy', () => {
      assertSyntaxError(filterWith(':'), 3, /chain name after ":"/);
      assertSyntaxError(filterWith(':INPUT'), 3, /policy after chain INPUT/);
    });

    it('malformed counters on a built-in chain', () => {
      assertSyntaxError(filterWith(':INPUT ACCEPT [1:x]'), 3, /counters \[packets:bytes\]/, 15);
    });

    it('chain names iptables refuses', () => {
      assertSyntaxError(filterWith(':!foo - [0:0]'), 3, /not starting with "!"/);
      assertSyntaxError(filterWith(':AAAAAAAAAABBBBBBBBBBCCCCCCCCC - [0:0]'), 3, /at most 28 characters/);
    });
  });

  describe('command lines', () => {
    it('a position given to -A', () => {
      assertSyntaxError(filterWith('-A INPUT 1 -j ACCEPT'), 3, /option, found the argument "1"/, 10);
    });

    it('a rule in an undeclared chain', () => {
      assertSyntaxError(filterWith('-A NOPE -j ACCEPT'), 3, /table filter has no chain NOPE/, 4);
      assertSyntaxError(filterWith('-I NOPE -j ACCEPT'), 3, /no chain NOPE/);
    });

    it('-I beyond length + 1, position 0, or not a number', () => {
      assertSyntaxError(filterWith('-A INPUT -j ACCEPT', '-I INPUT 3 -j DROP'), 4, /a position from 1 to 2 after -I INPUT, found 3/, 10);
      assertSyntaxError(filterWith('-I INPUT 0 -j DROP'), 3, /rule number \(1 or more\)/);
      assertSyntaxError(filterWith('-I INPUT x -j DROP'), 3, /rule number .* found "x"/);
    });

    it('-R, -D and -Z numbers beyond the chain, and -R without a number', () => {
      assertSyntaxError(filterWith('-A INPUT -j ACCEPT', '-R INPUT 2 -j DROP'), 4, /number of an existing rule/);
      assertSyntaxError(filterWith('-D INPUT 1'), 3, /number of an existing rule after -D INPUT, found 1 \(the chain has 0 rules\)/);
      assertSyntaxError(filterWith('-Z INPUT 1'), 3, /number of an existing rule/);
      assertSyntaxError(filterWith('-R INPUT -j DROP'), 3, /rule number after -R INPUT/);
    });

    it('-D or -C of a rule that is not there', () => {
      assertSyntaxError(filterWith('-A INPUT -j ACCEPT', '-D INPUT -j DROP'), 4, /rule in chain INPUT matching the -D specification/);
      assertSyntaxError(filterWith('-C INPUT -j DROP'), 3, /matching the -C specification/);
    });

    it('-D with a number and a specification', () => {
      assertSyntaxError(filterWith('-A INPUT -j ACCEPT', '-D INPUT 1 -j ACCEPT'), 4, /-j cannot be used with -D/, 12);
    });

    it('-j to a name that is neither a chain of the table nor a target extension iptables knows', () => {
      assertSyntaxError(filterWith('-A INPUT -j nope'), 3, /chain of table filter or a target extension after -j, found "nope"/, 13);
      assertSyntaxError(filterWith('-A INPUT -j Reject'), 3, /found "Reject"/);
      assertSyntaxError(filterWith('-A INPUT -j NOWHERE'), 3, /found "NOWHERE" \(no such chain, and no target iptables knows\)/, 13);
      assertSyntaxError(filterWith('-A INPUT -j constructor'), 3, /found "constructor"/);
      assertSyntaxError(filterWith('-A INPUT -j __proto__'), 3, /found "__proto__"/);
    });

    it('a NUL byte anywhere in a line (iptables-restore would read the line only up to it)', () => {
      assertSyntaxError(filterWith('-A INPUT -j AC\0CEPT'), 3, /expected no NUL byte/, 15);
      assertSyntaxError(['*filter\0', 'COMMIT'].join('\n'), 1, /expected no NUL byte/, 8);
    });

    it('-g to anything but a user chain, and -j/-g to a built-in chain', () => {
      assertSyntaxError(filterWith('-A INPUT -g ACCEPT'), 3, /user chain of table filter after -g/);
      assertSyntaxError(filterWith('-A USER -j INPUT'), 3, /INPUT is a built-in chain/);
    });

    it('DROP in the nat table', () => {
      assertSyntaxError('*nat\n-A PREROUTING -j DROP\nCOMMIT\n', 2, /no DROP in table nat/);
      assertSyntaxError('*nat\n-P PREROUTING DROP\nCOMMIT\n', 2, /no DROP policy in table nat/);
    });

    it('a duplicate -N, or -N of a built-in chain or a target name', () => {
      assertSyntaxError(filterWith('-N USER'), 3, /USER already exists in table filter/, 4);
      assertSyntaxError(filterWith('-N INPUT'), 3, /INPUT already exists/);
      assertSyntaxError(filterWith('-N LOG'), 3, /not a target name/);
      assertSyntaxError(filterWith('-N -x'), 3, /chain name after -N/);
    });

    it('-X of a built-in, missing, referenced or non-empty chain', () => {
      assertSyntaxError(filterWith('-X INPUT'), 3, /INPUT is built in/);
      assertSyntaxError(filterWith('-X NOPE'), 3, /no chain NOPE/);
      assertSyntaxError(filterWith('-A INPUT -j USER', '-X USER'), 4, /the rule at line 3 still jumps to USER/);
      assertSyntaxError(filterWith('-A INPUT -g USER', '-X'), 4, /the rule at line 3 still jumps to USER/);
      assertSyntaxError(filterWith('-A USER -j ACCEPT', '-X USER'), 4, /USER still has 1 rules/);
    });

    it('-E of a built-in or missing chain, to an existing name, or without a new name', () => {
      assertSyntaxError(filterWith('-E INPUT X'), 3, /INPUT is built in/);
      assertSyntaxError(filterWith('-E NOPE X'), 3, /no chain NOPE/);
      assertSyntaxError(filterWith('-N OTHER', '-E USER OTHER'), 4, /OTHER already exists/);
      assertSyntaxError(filterWith('-E USER ACCEPT'), 3, /not a target name/);
      assertSyntaxError(filterWith('-E USER'), 3, /new chain name after -E USER/);
    });

    it('-P on a user chain, with a bad policy, or without one', () => {
      assertSyntaxError(filterWith('-P USER DROP'), 3, /USER is a user chain/);
      assertSyntaxError(filterWith('-P INPUT REJECT'), 3, /ACCEPT or DROP as the policy, found "REJECT"/, 10);
      assertSyntaxError(filterWith('-P INPUT'), 3, /policy after -P INPUT/);
    });

    it('-F and -Z of a missing chain', () => {
      assertSyntaxError(filterWith('-F NOPE'), 3, /no chain NOPE/);
      assertSyntaxError(filterWith('-Z NOPE'), 3, /no chain NOPE/);
    });

    it('an unknown option before any -m or -p, and unknown short options', () => {
      assertSyntaxError(filterWith('-A INPUT --bogus -j ACCEPT'), 3, /"--bogus" before any -m, -p or -j/, 10);
      assertSyntaxError(filterWith('-A INPUT --dport 22 -p tcp'), 3, /"--dport"/);
      assertSyntaxError(filterWith('-A INPUT -y'), 3, /option iptables knows, found "-y"/);
      assertSyntaxError(filterWith('-A INPUT -- -j ACCEPT'), 3, /found "--"/);
    });

    it('a missing argument', () => {
      assertSyntaxError(filterWith('-A INPUT -s'), 3, /argument after -s/, 10);
      assertSyntaxError(filterWith('-A INPUT -p -j ACCEPT'), 3, /argument after -p/, 13);
      assertSyntaxError(filterWith('-A INPUT -s !'), 3, /argument after -s/);
      assertSyntaxError(filterWith('-A INPUT -m'), 3, /match name after -m/);
      assertSyntaxError(filterWith('-A INPUT -j'), 3, /target after -j/);
      assertSyntaxError(filterWith('-A'), 3, /chain name after -A/);
      assertSyntaxError(filterWith('-A INPUT -c 1'), 3, /packet and byte counters after -c/);
      assertSyntaxError(filterWith('-A INPUT -c 1 x'), 3, /packet and byte counters after -c/);
    });

    it('an option given twice', () => {
      assertSyntaxError(filterWith('-A INPUT -p tcp -p udp'), 3, /-p at most once/, 17);
      assertSyntaxError(filterWith('-A INPUT -s 1.1.1.1 --source 2.2.2.2'), 3, /-s at most once/);
      assertSyntaxError(filterWith('-A INPUT -j ACCEPT -j DROP'), 3, /one -j or -g per rule/);
      assertSyntaxError(filterWith('-A INPUT -g USER -j ACCEPT'), 3, /one -j or -g per rule/);
      assertSyntaxError(filterWith('-A INPUT -f -f'), 3, /-f at most once/);
      assertSyntaxError(filterWith('-A INPUT -c 1 2 -c 3 4'), 3, /-c at most once/);
    });

    it('misplaced or doubled negation', () => {
      assertSyntaxError(filterWith('-A INPUT ! -m tcp'), 3, /no "!" before -m/, 10);
      assertSyntaxError(filterWith('-A INPUT ! -j ACCEPT'), 3, /no "!" before -j/);
      assertSyntaxError(filterWith('! -A INPUT'), 3, /no "!" before -A/);
      assertSyntaxError(filterWith('-A INPUT ! ! -s 1.2.3.4'), 3, /found a second "!"/, 12);
      assertSyntaxError(filterWith('-A INPUT ! -s ! 1.2.3.4'), 3, /one "!" for -s/);
      assertSyntaxError(filterWith('-A INPUT -p tcp ! --dport ! 22'), 3, /one "!" for --dport/);
      assertSyntaxError(filterWith('-A INPUT -s 1.2.3.4 !'), 3, /option after "!", found the end of the line/, 21);
    });

    it('no command, two commands, and -t', () => {
      assertSyntaxError(filterWith('-s 1.2.3.4 -j ACCEPT'), 3, /expected a command/);
      assertSyntaxError(filterWith('-A INPUT -A OUTPUT'), 3, /one command per line, found -A and -A/);
      assertSyntaxError(filterWith('-A INPUT -t filter -j ACCEPT'), 3, /no -t/);
      assertSyntaxError(filterWith('-L INPUT'), 3, /listing command -L/, 1);
      assertSyntaxError(filterWith('--list-rules'), 3, /listing command --list-rules/);
    });

    it('rule options with commands that take none', () => {
      assertSyntaxError(filterWith('-N X -j ACCEPT'), 3, /-j cannot be used with -N/);
      assertSyntaxError(filterWith('-F INPUT -s 1.2.3.4'), 3, /-s cannot be used with -F/);
      assertSyntaxError(filterWith('-N X -c 1 2'), 3, /-c cannot be used with -N/);
      assertSyntaxError(filterWith('-A INPUT -j ACCEPT', '-D INPUT -c 1 2 -j ACCEPT'), 4, /-c cannot be used with -D/);
    });

    it('-o where packets have no output interface, -i where they have no input one', () => {
      assertSyntaxError(filterWith('-A INPUT -o eth0'), 3, /no -o in chain INPUT/);
      assertSyntaxError(filterWith('-A OUTPUT -i eth0'), 3, /no -i in chain OUTPUT/);
      assertSyntaxError('*nat\n-A PREROUTING -o eth0 -j ACCEPT\nCOMMIT\n', 2, /no -o in chain PREROUTING/);
      assertSyntaxError('*nat\n-A POSTROUTING -i eth0 -j ACCEPT\nCOMMIT\n', 2, /no -i in chain POSTROUTING/);
    });

    it('empty or too long interface names and target names', () => {
      assertSyntaxError(filterWith('-A INPUT -i ""'), 3, /interface name, found an empty one/, 13);
      assertSyntaxError(filterWith('-A INPUT -i abcdefghijklmnop'), 3, /at most 15 characters/);
      assertSyntaxError(filterWith('-A INPUT -j ""'), 3, /target name of 1 to 28 characters/);
    });

    it('-4 and -6 on one rule, and -f in an ip6tables file', () => {
      assertSyntaxError(filterWith('-A INPUT -4 -6'), 3, /either -4 or -6/);
      assertSyntaxError('# Generated by ip6tables-save v1.8.9\n*filter\n-A INPUT -f\nCOMMIT\n', 3, /no -f in an IPv6 ruleset/);
      assertSyntaxError('*filter\n-A INPUT -f\n-A INPUT -s fe80::/10\nCOMMIT\n', 2, /no -f in an IPv6 ruleset/);
    });

    it('malformed counters prefix', () => {
      assertSyntaxError(filterWith('[1:2 -A INPUT -j ACCEPT'), 3, /"\]" closing/, 1);
      assertSyntaxError(filterWith('[12] -A INPUT -j ACCEPT'), 3, /\[packets:bytes\] with decimal numbers/);
      assertSyntaxError(filterWith('[x:y] -A INPUT -j ACCEPT'), 3, /decimal numbers/);
    });

    it('an unterminated quote', () => {
      assertSyntaxError(filterWith('-A INPUT -m comment --comment "abc -j ACCEPT'), 3, /unterminated quote/, 31);
    });

    it('a jump that closes a loop reachable from a built-in chain, or makes one reachable, at that rule', () => {
      const reachedLast = ['*filter', ':A - [0:0]', ':B - [0:0]', '-A A -j B', '-A B -j A', '-A INPUT -j A', 'COMMIT', ''].join('\n');
      assertSyntaxError(reachedLast, 6, /no chain loop reachable from a built-in chain, found A -> B -> A/);
      const closedLast = ['*filter', ':A - [0:0]', ':B - [0:0]', '-A INPUT -j A', '-A A -j B', '-I B -g A', 'COMMIT', ''].join('\n');
      assertSyntaxError(closedLast, 6, /A -> B -> A/);
      assertSyntaxError(filterWith('-A USER -g USER', '-A FORWARD -j USER'), 4, /USER -> USER/);
      assertSyntaxError(filterWith('-A INPUT -j USER', '-A USER -j ACCEPT', '-R USER 1 -j USER'), 5, /USER -> USER/);
    });

    it('accepts a loop that no built-in chain reaches', () => {
      assert.doesNotThrow(() => parseIptablesSave(filterWith('-A USER -j USER')));
    });
  });
});
