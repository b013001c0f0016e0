/**
 * Audits of rule sets whose findings once cost time quadratic in a chain's length (a shadowed
 * rule's message looked back over every rule before it) or that jump to tens of thousands of user
 * chains: every finding is there, and cites what it should.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { auditDeployment } from '../../src/app/audit';
import { deploymentYaml } from '../../bench/generate/site';
import { filterTable } from '../helpers/programs';
import { tempTree } from '../helpers/cli';
import type { Finding } from '../../src/audit/types';

/** The i-th address of 10.0.0.0/8, dotted. */
function address(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

/** The findings of an audit of the rule set as the Director's host firewall. */
function auditHost(text: string): Finding[] {
  const dir = tempTree({ 'fw.rules': text, 'site.yml': deploymentYaml('fw.rules', 'host') });
  try {
    return auditDeployment(path.join(dir, 'site.yml')).findings;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function ofKind(findings: Finding[], kind: string): Finding[] {
  return findings.filter((f) => f.kind === kind);
}

describe('large rule sets', () => {
  it('one DROP before 40,000 rules: each of them shadowed, by line 5', () => {
    const count = 40_000;
    const lines = ['-A INPUT -j DROP'];
    for (let i = 0; i < count; i++) lines.push(`-A INPUT -s ${address(i)}/32 -p tcp -m tcp --dport 443 -j ACCEPT`);
    const shadowed = ofKind(auditHost(filterTable({ INPUT: 'DROP' }, lines)), 'shadowed');
    assert.equal(shadowed.length, count);
    assert.deepEqual(
      shadowed.map((f) => f.rule?.line),
      Array.from({ length: count }, (_, i) => 6 + i),
    );
    for (const f of shadowed) {
      assert.equal(
        f.message,
        `rule at line ${f.rule!.line} can never match: every packet that enters chain INPUT is decided before it (by line 5 and the rules before it)`,
      );
    }
  });

  it('20,000 user chains, each jumped to from INPUT: every rule reached, each accepting rule extraneous', () => {
    const count = 20_000;
    const chains = Array.from({ length: count }, (_, i) => `c${i}`);
    const lines = chains.map((chain, i) => `-A INPUT -s ${address(i)}/32 -j ${chain}`);
    for (const chain of chains) lines.push(`-A ${chain} -p tcp -m tcp --dport 443 -j ACCEPT`);
    const findings = auditHost(filterTable({ INPUT: 'DROP' }, lines, chains));
    assert.equal(ofKind(findings, 'shadowed').length, 0);
    const extraneous = ofKind(findings, 'extraneous');
    assert.equal(extraneous.length, count);
    // Declarations take lines 5 to 20,004, the jumps the next 20,000: chain c_i's rule is on line 40,005 + i.
    assert.deepEqual(
      extraneous.map((f) => f.rule?.line).sort((a, b) => a! - b!),
      Array.from({ length: count }, (_, i) => 4 + 2 * count + 1 + i),
    );
  });
});
