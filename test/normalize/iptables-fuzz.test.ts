/**
 * Fuzzing of the iptables parser and normalizer: mutations of the real configurations
 * (fixtures/real/iptables) and rule lines built from iptables' own vocabulary. Whatever the
 * input, the only failures allowed are a located syntax error (IptablesSyntaxError) or a located
 * input error (InputError) — never another exception, which the CLI would report as exit 3.
 *
 * FWMATRIX_FUZZ_RUNS sets the number of runs per property (default 300).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { IptablesSyntaxError, parseIptablesSave } from '../../parsers/iptables-parser/src';
import { InputError } from '../../src/model/errors';
import { normalizeIptables } from '../../src/normalize/iptables/normalize';
import { REAL_CONFIGS_DIR } from '../helpers/paths';

const RUNS = Number(process.env.FWMATRIX_FUZZ_RUNS ?? 300);

const REAL_FILES = fs
  .readdirSync(path.join(REAL_CONFIGS_DIR, 'iptables'))
  .sort()
  .map((name) => ({ name, lines: fs.readFileSync(path.join(REAL_CONFIGS_DIR, 'iptables', name), 'utf8').split('\n') }));

/** Parses and normalizes; returns how it ended, and throws on any unexpected exception. */
function load(text: string): 'loaded' | 'syntax error' | 'input error' {
  let ruleset;
  try {
    ruleset = parseIptablesSave(text);
  } catch (error) {
    if (error instanceof IptablesSyntaxError && Number.isInteger(error.line) && error.line >= 1) return 'syntax error';
    throw error;
  }
  try {
    normalizeIptables(ruleset, { file: 'fuzz.rules' });
    return 'loaded';
  } catch (error) {
    if (error instanceof InputError && error.diagnostics.every((d) => d.location.file === 'fuzz.rules')) return 'input error';
    throw error;
  }
}

function assertNoCrash(text: string): void {
  try {
    load(text);
  } catch (error) {
    assert.fail(`unexpected ${(error as Error).stack ?? String(error)}\non input:\n${text.slice(0, 4000)}`);
  }
}

/** Words that are options, values, target and match names of iptables, and of JavaScript objects. */
const VOCABULARY = [
  ...[
    '-A',
    '-I',
    '-D',
    '-R',
    '-N',
    '-X',
    '-F',
    '-Z',
    '-E',
    '-P',
    '-C',
    '-p',
    '-s',
    '-d',
    '-i',
    '-o',
    '-f',
    '-m',
    '-j',
    '-g',
    '-4',
    '-6',
    '-c',
  ],
  ...['!', '"', '""', '"a b"', '\\', '-', '--', '[0:0]', '[1:2]', ':', ',', '/', '+', '\0', '\r', '\t', 'é', '∞'],
  ...['INPUT', 'FORWARD', 'OUTPUT', 'PREROUTING', 'POSTROUTING', 'USER', 'ACCEPT', 'DROP', 'REJECT', 'RETURN', 'LOG', 'MARK'],
  ...['CONNMARK', 'NOTRACK', 'CT', 'DNAT', 'SNAT', 'MASQUERADE', 'NFQUEUE', 'TARPIT', 'NOWHERE', '*filter', '*nat', 'COMMIT'],
  ...['tcp', 'udp', 'icmp', 'ipv6-icmp', 'all', '6', '256', 'multiport', 'state', 'conntrack', 'addrtype', 'pkttype', 'mark'],
  ...['connmark', 'set', 'iprange', 'comment', 'limit', 'recent', 'icmp6', 'tcpmss'],
  ...['--dport', '--sport', '--dports', '--ports', '--tcp-flags', '--syn', '--icmp-type', '--icmpv6-type', '--state', '--ctstate'],
  ...['--src-type', '--dst-type', '--pkt-type', '--mark', '--set-mark', '--set-xmark', '--save-mark', '--restore-mark', '--notrack'],
  ...['--match-set', '--src-range', '--dst-range', '--comment', '--reject-with', '--to-destination', '--ctorigsrc', '--ctdir'],
  ...['22', '0', '65535', '65536', '1:2', '2:1', ':', '80,443', 'http', 'SYN,ACK', 'SYN', 'ALL', 'NONE', 'NEW,ESTABLISHED'],
  ...['UNTRACKED', 'LOCAL', 'BROADCAST', 'UNICAST,LOCAL', 'unicast', 'otherhost', '0x1', '0x1/0xff', 'tcp-reset', 'src', 'dst,dst'],
  ...['192.0.2.1', '192.0.2.0/24', '198.51.100.0/33', '2001:db8::1', '2001:db8::/64', '::', '1.2.3.4-1.2.3.9', 'eth0', 'eth+', 'lo'],
  ...['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'prototype', 'undefined', 'null', 'NaN'],
];

const word = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...VOCABULARY) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
);

/** One mutation of a file's lines. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('replace-word' as const), line: fc.nat(), at: fc.nat(), word }),
  fc.record({ kind: fc.constant('insert-word' as const), line: fc.nat(), at: fc.nat(), word }),
  fc.record({ kind: fc.constant('delete-word' as const), line: fc.nat(), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate-line' as const), line: fc.nat(), to: fc.nat() }),
  fc.record({ kind: fc.constant('delete-line' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('swap-lines' as const), line: fc.nat(), to: fc.nat() }),
  fc.record({ kind: fc.constant('cut-characters' as const), line: fc.nat(), at: fc.nat(), count: fc.integer({ min: 1, max: 5 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(lines: readonly string[], mutations: readonly Mutation[]): string {
  const out = [...lines];
  for (const m of mutations) {
    if (out.length === 0) break;
    const i = m.line % out.length;
    const words = out[i].split(' ');
    switch (m.kind) {
      case 'replace-word':
        words[m.at % words.length] = m.word;
        out[i] = words.join(' ');
        break;
      case 'insert-word':
        words.splice(m.at % (words.length + 1), 0, m.word);
        out[i] = words.join(' ');
        break;
      case 'delete-word':
        words.splice(m.at % words.length, 1);
        out[i] = words.join(' ');
        break;
      case 'duplicate-line':
        out.splice(m.to % (out.length + 1), 0, out[i]);
        break;
      case 'delete-line':
        out.splice(i, 1);
        break;
      case 'swap-lines': {
        const j = m.to % out.length;
        [out[i], out[j]] = [out[j], out[i]];
        break;
      }
      case 'cut-characters': {
        const at = m.at % (out[i].length + 1);
        out[i] = out[i].slice(0, at) + out[i].slice(at + m.count);
        break;
      }
    }
  }
  return out.join('\n');
}

describe('iptables parser and normalizer under fuzzing: only located errors', () => {
  for (const file of REAL_FILES) {
    it(`mutations of ${file.name}`, () => {
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (mutations) => assertNoCrash(mutate(file.lines, mutations))),
        { numRuns: RUNS, seed: 20261201 },
      );
    });
  }

  it('rule lines of iptables words in a table', () => {
    const line = fc.array(word, { minLength: 1, maxLength: 14 }).map((words) => words.join(' '));
    const header = fc.constantFrom('', '# Generated by ip6tables-save v1.8.9\n');
    const table = fc.constantFrom('filter', 'nat', 'mangle', 'raw');
    fc.assert(
      fc.property(header, table, fc.array(line, { maxLength: 8 }), (head, name, lines) =>
        assertNoCrash(`${head}*${name}\n:USER - [0:0]\n${lines.map((l) => `-A ${l}`).join('\n')}\nCOMMIT\n`),
      ),
      { numRuns: RUNS * 3, seed: 20261202 },
    );
  });

  it('well-formed rules with values that are wrong in every way', () => {
    const value = fc.constantFrom(...VOCABULARY.filter((w) => !w.startsWith('-') && w !== '!'));
    const template = fc.constantFrom(
      '-p tcp -m tcp --dport V',
      '-p tcp -m tcp --tcp-flags V V',
      '-p udp -m multiport --dports V',
      '-p icmp -m icmp --icmp-type V',
      '-m conntrack --ctstate V',
      '-m conntrack --ctorigsrc V',
      '-m state --state V',
      '-m addrtype --src-type V',
      '-m pkttype --pkt-type V',
      '-m mark --mark V',
      '-m iprange --src-range V',
      '-m set --match-set V V',
      '-s V -d V',
      '-p V',
      '-i V -j V',
      '-j MARK --set-mark V',
      '-j CONNMARK --restore-mark',
      '-j CT --notrack',
      '-p tcp -j REJECT --reject-with V',
    );
    fc.assert(
      fc.property(template, fc.array(value, { minLength: 2, maxLength: 2 }), fc.constantFrom(4, 6), (t, [a, b], family) => {
        const rule = t.replace('V', a).replace(/V/g, b);
        const header = family === 6 ? '# Generated by ip6tables-save v1.8.9\n' : '';
        assertNoCrash(`${header}*mangle\n:USER - [0:0]\n-A PREROUTING ${rule}\n-A USER ${rule}\nCOMMIT\n`);
      }),
      { numRuns: RUNS * 3, seed: 20261203 },
    );
  });
});
