/** ruleReachability (witnesses, indexes, region walks) against the plain set walk, on generated, tool-shaped and real rule sets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ruleReachability, type RuleReach } from '../../src/engine/reach';
import type { PolicyProgram } from '../../src/model/policy';
import { loadConfig } from '../../src/normalize';
import { generateRuleset } from '../kernel/generate';
import { compile } from '../helpers/programs';
import { REAL_CONFIGS_DIR } from '../helpers/paths';
import { generate } from '../../bench/generate/shapes';
import { referenceReachability } from './reach-reference';

function ids(rules: Set<{ id: string }>): string[] {
  return [...rules].map((r) => r.id).sort();
}

function assertSameReach(program: PolicyProgram, label: string): RuleReach {
  const fast = ruleReachability(program);
  const reference = referenceReachability(program);
  assert.deepEqual(ids(fast.matched), ids(reference.matched), `${label}: matched rules`);
  assert.deepEqual(ids(fast.reached), ids(reference.reached), `${label}: reached rules`);
  return fast;
}

test('generated rule sets of both families: the same rules reached and matched as the plain walk', () => {
  let unmatched = 0;
  for (const family of [4, 6] as const) {
    for (let seed = 3000; seed < 3040; seed++) {
      const program = compile(generateRuleset(seed, family), ['eth0', 'eth1', 'wlan0']);
      const reach = assertSameReach(program, `IPv${family} seed ${seed}`);
      unmatched += [...program.chains.values()].reduce((n, c) => n + c.rules.filter((r) => !reach.matched.has(r)).length, 0);
    }
  }
  // The comparison means something only if some rules are unreachable.
  assert.ok(unmatched > 20, `${unmatched} unmatched rules`);
});

test('every real dump: the same rules reached and matched as the plain walk', () => {
  const dir = path.join(REAL_CONFIGS_DIR, 'iptables');
  for (const name of fs.readdirSync(dir).sort()) {
    for (const program of loadConfig([path.join(dir, name)], { type: 'iptables' }).programs) assertSameReach(program, name);
  }
});

test('tool-shaped rule sets (Shorewall, kube-proxy, Docker, block lists, TUM-like): the same as the plain walk', () => {
  for (const [shape, rules] of [
    ['shorewall', 600],
    ['kube-proxy', 400],
    ['docker', 400],
    ['pfblocker', 400],
    ['tum', 700],
    ['mixed', 800],
  ] as const) {
    for (const seed of [1, 2]) assertSameReach(compile(generate(shape, rules, seed).text), `${shape}-${rules} seed ${seed}`);
  }
});

/** The lines of the rules some packet may reach and match. */
function matchedLines(text: string): number[] {
  const reach = ruleReachability(compile(text));
  return [...reach.matched].map((rule) => rule.source.line).sort((a, b) => a - b);
}

test('a mark an earlier stage sets, and a connection mark an earlier packet got, are marks a later rule may match', () => {
  const header = ['*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]'];
  // Line 5: mangle's PREROUTING marks port 8080; line 11 tests the mark in filter's INPUT.
  const marked = [
    '*mangle',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    '-A PREROUTING -p tcp --dport 8080 -j MARK --set-mark 0x1',
    'COMMIT',
    ...header,
    '-A INPUT -m mark --mark 0x1 -j ACCEPT',
    'COMMIT',
    '',
  ].join('\n');
  assert.deepEqual(matchedLines(marked), [5, 11]);
  // Line 5 tests a connection mark only line 6 sets: on a later packet of the connection it may be set.
  const connection = [
    ...header,
    '-A INPUT -m connmark --mark 0x1 -j ACCEPT',
    '-A INPUT -p tcp --dport 80 -j CONNMARK --set-mark 0x1',
    'COMMIT',
    '',
  ].join('\n');
  assert.deepEqual(matchedLines(connection), [5, 6]);
});
