/**
 * Names from the file that are also JavaScript object properties (`constructor`, `__proto__`,
 * `toString`, `valueOf`) are ordinary names: an unknown one gives the usual located input error
 * or undetermined condition, never a crash or a match against Object.prototype.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../src/model/errors';
import { parseIpsetSave, matchSetPackets } from '../../src/normalize/iptables/ipset';
import { compile, filterTable, trace } from '../helpers/programs';

const PROPERTY_NAMES = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'prototype'];

function assertInputError(lines: string[], pattern: RegExp): void {
  assert.throws(
    () => compile(filterTable({}, lines)),
    (error: unknown) => {
      assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
      assert.equal(error.diagnostics[0].location.line, 5);
      assert.match(error.diagnostics[0].message, pattern);
      return true;
    },
  );
}

const probe = { from: '192.0.2.1', to: '198.51.100.1', proto: 'tcp', dport: 22, in: 'eth0' } as const;

describe('names that are object properties', () => {
  for (const name of PROPERTY_NAMES) {
    it(`"${name}" as a protocol, port, ICMP type, TCP flag or connection state is an unknown value`, () => {
      assertInputError([`-A INPUT -p ${name} -j ACCEPT`], new RegExp(`unknown protocol "${name}"`));
      assertInputError([`-A INPUT -p tcp -m tcp --dport ${name} -j ACCEPT`], new RegExp(`"${name}" is not a port number`));
      assertInputError([`-A INPUT -p tcp -m multiport --dports 22,${name} -j ACCEPT`], /is not a port number/);
      assertInputError([`-A INPUT -p icmp -m icmp --icmp-type ${name} -j ACCEPT`], /is not an ICMP type name/);
      assertInputError([`-A INPUT -p tcp -m tcp --tcp-flags ${name} SYN -j ACCEPT`], /unknown TCP flag/);
      assertInputError([`-A INPUT -m conntrack --ctstate ${name} -j ACCEPT`], /unknown connection state/);
      assertInputError([`-A INPUT -m addrtype --dst-type ${name} -j ACCEPT`], /unknown address type/);
      assertInputError([`-A INPUT -m pkttype --pkt-type ${name} -j ACCEPT`], /unknown packet type/);
    });

    it(`"${name}" as a match module or an option is undetermined, with its reason`, () => {
      const program = compile(
        filterTable({ INPUT: 'DROP' }, [`-A INPUT -m ${name} -j ACCEPT`, `-A INPUT -m conntrack --${name} x -j ACCEPT`]),
      );
      const result = trace(program, probe);
      assert.equal(result.verdict, 'undetermined');
      assert.deepEqual(
        result.reasons.map((r) => [r.rule.line, r.why]),
        [
          [5, `match module "${name}" is not modelled`],
          [6, `option --${name} of match module "conntrack" is not understood`],
        ],
      );
    });

    it(`"${name}" as an ipset type or name is an unmodelled type or an unknown set`, () => {
      const sets = parseIpsetSave(`create ${name} ${name}\nadd ${name} 192.0.2.1\n`, 'sets.txt');
      assert.equal(matchSetPackets(sets, name, 'src', 4), `ipset ${name} is of type ${name}, which fwmatrix does not model`);
      assert.equal(matchSetPackets(new Map(), name, 'src', 4), `ipset ${name} is not in the ipset file`);
    });
  }
});
