/** `fwmatrix diff` without a matrix: the flows a change to a configuration allows, denies or leaves undecided. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { tempTree } from '../helpers/cli';
import { filterTable } from '../helpers/programs';
import { runDiff, type DiffCliOptions as DiffOptions } from '../../src/cli/diff-command';
import { displayPath } from '../../src/input/document';
import { InputError } from '../../src/model/errors';

const OPTIONS: DiffOptions = { format: 'json', failOn: 'medium', color: false, placement: 'host' };

/** The INPUT chain of a small server: loopback and the web server. */
const SERVER = ['-A INPUT -i lo -j ACCEPT', '-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT'];
const OPEN_SSH = '-A INPUT -s 192.0.2.0/24 -p tcp -m tcp --dport 22 -j ACCEPT';

/** BEFORE and AFTER written to a fresh folder, and their paths as reports show them. */
function configs(before: string, after: string) {
  const dir = tempTree({ 'before.rules': before, 'after.rules': after });
  const files = { before: path.join(dir, 'before.rules'), after: path.join(dir, 'after.rules') };
  return { ...files, shown: { before: displayPath(files.before), after: displayPath(files.after) } };
}

function diffJson(before: string, after: string, opts: Partial<DiffOptions> = {}) {
  const run = runDiff(before, after, { ...OPTIONS, ...opts });
  return { exitCode: run.exitCode, report: JSON.parse(run.text) };
}

test('opening a port: newly allowed, with the policy before and the rule after', () => {
  const c = configs(filterTable({ INPUT: 'DROP' }, SERVER), filterTable({ INPUT: 'DROP' }, [...SERVER, OPEN_SSH]));
  const { exitCode, report } = diffJson(c.before, c.after);
  assert.equal(exitCode, 0);
  assert.deepEqual(report, {
    schemaVersion: 1,
    tool: { name: 'fwmatrix', version: report.tool.version },
    verdict: 'pass',
    failOn: 'medium',
    before: c.shown.before,
    after: c.shown.after,
    changes: [
      {
        kind: 'newly-allowed',
        point: 'INPUT',
        family: 4,
        before: {
          verdict: 'drop',
          rule: null,
          policy: {
            chain: 'filter/INPUT',
            phrase: "the INPUT chain's default policy",
            source: { file: c.shown.before, line: 2, text: ':INPUT DROP' },
          },
        },
        after: { verdict: 'accept', rule: { file: c.shown.after, line: 7, text: OPEN_SSH } },
        counts: { sources: '256', destinations: '4294967296', protocols: '1', destinationPorts: '1' },
        witness: { src: '192.0.2.77', dst: '203.0.113.77', proto: 'tcp', sport: 40000, dport: 22, chain: 'INPUT' },
      },
    ],
  });
});

test('the same change as text', () => {
  const c = configs(filterTable({ INPUT: 'DROP' }, SERVER), filterTable({ INPUT: 'DROP' }, [...SERVER, OPEN_SSH]));
  const run = runDiff(c.before, c.after, { ...OPTIONS, format: 'text' });
  assert.equal(
    run.text.split('\n').slice(1).join('\n'),
    [
      '',
      'Newly allowed (1):',
      '  INPUT IPv4: 256 source addresses, 4,294,967,296 destination addresses, 1 protocol, 1 destination port',
      `    before drop by ${c.shown.before}:2: :INPUT DROP (the INPUT chain's default policy)`,
      `    after  accept by ${c.shown.after}:7: ${OPEN_SSH}`,
      '    witness: tcp 192.0.2.77:40000 -> 203.0.113.77:22 [INPUT]',
      '',
      '1 flow change',
      '',
    ].join('\n'),
  );
  assert.match(run.text.split('\n')[0], new RegExp(`^fwmatrix \\S+ — diff ${c.shown.before} → ${c.shown.after}$`));
  assert.equal(runDiff(c.before, c.after, { ...OPTIONS, format: 'text', quiet: true }).text, '1 flow change\n');
});

test('closing a port: newly denied, with the rule before and the policy after', () => {
  const c = configs(filterTable({ INPUT: 'DROP' }, [...SERVER, OPEN_SSH]), filterTable({ INPUT: 'DROP' }, SERVER));
  const { report } = diffJson(c.before, c.after);
  assert.deepEqual(report.changes, [
    {
      kind: 'newly-denied',
      point: 'INPUT',
      family: 4,
      before: { verdict: 'accept', rule: { file: c.shown.before, line: 7, text: OPEN_SSH } },
      after: {
        verdict: 'drop',
        rule: null,
        policy: {
          chain: 'filter/INPUT',
          phrase: "the INPUT chain's default policy",
          source: { file: c.shown.after, line: 2, text: ':INPUT DROP' },
        },
      },
      counts: { sources: '256', destinations: '4294967296', protocols: '1', destinationPorts: '1' },
      witness: { src: '192.0.2.77', dst: '203.0.113.77', proto: 'tcp', sport: 40000, dport: 22, chain: 'INPUT' },
    },
  ]);
});

test('a rule the engine cannot decide (-m recent): newly undetermined, naming the rule and why', () => {
  const recent = '-A INPUT -p tcp -m recent --rcheck --seconds 60 --name scanners --rsource -j DROP';
  const c = configs(filterTable({ INPUT: 'DROP' }, SERVER), filterTable({ INPUT: 'DROP' }, [SERVER[0], recent, SERVER[1]]));
  const { report } = diffJson(c.before, c.after);
  assert.deepEqual(report.changes, [
    {
      kind: 'newly-undetermined',
      point: 'INPUT',
      family: 4,
      before: { verdict: 'accept', rule: { file: c.shown.before, line: 6, text: SERVER[1] } },
      after: {
        verdict: 'undetermined',
        rule: { file: c.shown.after, line: 6, text: recent },
        reasons: ['match module "recent" is not modelled (line 6)'],
      },
      counts: { sources: '4294967296', destinations: '4294967296', protocols: '1', destinationPorts: '1' },
      witness: { src: '203.0.113.77', dst: '203.0.113.77', proto: 'tcp', sport: 40000, dport: 80, chain: 'INPUT' },
    },
  ]);
  // Undone, the same packets are no longer undetermined.
  assert.deepEqual(
    diffJson(c.after, c.before).report.changes.map((change: { kind: string; after: { verdict: string } }) => [
      change.kind,
      change.after.verdict,
    ]),
    [['no-longer-undetermined', 'accept']],
  );
});

test('reordering rules that do not overlap changes no flow', () => {
  const rules = [
    '-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT',
    '-A INPUT -s 198.51.100.0/24 -p udp -m udp --dport 53 -j ACCEPT',
    '-A INPUT -p tcp -m tcp --dport 23 -j REJECT --reject-with tcp-reset',
  ];
  const c = configs(
    filterTable({ INPUT: 'DROP' }, [...SERVER, ...rules]),
    filterTable({ INPUT: 'DROP' }, [SERVER[0], rules[2], rules[1], SERVER[1], rules[0]]),
  );
  const { exitCode, report } = diffJson(c.before, c.after);
  assert.deepEqual([exitCode, report.changes], [0, []]);
  assert.equal(
    runDiff(c.before, c.after, { ...OPTIONS, format: 'text' })
      .text.split('\n')
      .slice(2)
      .join('\n'),
    'No flow changes.\n\n0 flow changes\n',
  );
});

test('IPv6: ip6tables-save files compare as IPv6', () => {
  const v6 = (lines: string[]) =>
    `# Generated by ip6tables-save v1.8.9 on Sat Nov 21 10:00:00 2026\n${filterTable({ INPUT: 'DROP' }, lines)}`;
  const openSsh6 = '-A INPUT -s 2001:db8::/32 -d 2001:db8:1::/48 -p tcp -m tcp --dport 22 -j ACCEPT';
  const c = configs(v6(SERVER), v6([...SERVER, openSsh6]));
  const { report } = diffJson(c.before, c.after);
  assert.deepEqual(report.changes, [
    {
      kind: 'newly-allowed',
      point: 'INPUT',
      family: 6,
      before: {
        verdict: 'drop',
        rule: null,
        policy: {
          chain: 'filter/INPUT',
          phrase: "the INPUT chain's default policy",
          source: { file: c.shown.before, line: 3, text: ':INPUT DROP' },
        },
      },
      after: { verdict: 'accept', rule: { file: c.shown.after, line: 8, text: openSsh6 } },
      counts: { sources: (1n << 96n).toString(), destinations: (1n << 80n).toString(), protocols: '1', destinationPorts: '1' },
      witness: { src: '2001:db8::77', dst: '2001:db8:1::1', proto: 'tcp', sport: 40000, dport: 22, chain: 'INPUT' },
    },
  ]);
});

test('interfaces named by only one side keep their identity', () => {
  // eth1 is the first named interface before, the second after (eth0 comes first).
  const c = configs(
    filterTable({ INPUT: 'DROP' }, ['-A INPUT -i eth1 -p tcp -m tcp --dport 22 -j ACCEPT']),
    filterTable({ INPUT: 'DROP' }, [
      '-A INPUT -i eth0 -p tcp -m tcp --dport 80 -j ACCEPT',
      '-A INPUT -i eth1 -p tcp -m tcp --dport 22 -j ACCEPT',
    ]),
  );
  const { report } = diffJson(c.before, c.after);
  assert.deepEqual(
    report.changes.map((change: { kind: string; after: { rule: { line: number } }; witness: object }) => [
      change.kind,
      change.after.rule.line,
      change.witness,
    ]),
    [['newly-allowed', 5, { src: '203.0.113.77', dst: '203.0.113.77', proto: 'tcp', sport: 40000, dport: 80, in: 'eth0', chain: 'INPUT' }]],
  );
});

test('configurations of different address families or formats are refused', () => {
  const c = configs(filterTable({}, SERVER), `# Generated by ip6tables-save v1.8.9\n${filterTable({}, SERVER)}`);
  assert.throws(
    () => runDiff(c.before, c.after, OPTIONS),
    (e: unknown) =>
      e instanceof InputError &&
      e.message ===
        `${c.shown.after}: it holds IPv6 rules and ${c.shown.before} holds IPv4 rules: compare configurations of the same address family`,
  );
  const notAConfig = configs(filterTable({}, SERVER), 'hostname gw1\ninterface eth0\n');
  assert.throws(
    () => runDiff(notAConfig.before, notAConfig.after, OPTIONS),
    (e: unknown) => e instanceof InputError && e.message.startsWith(`${notAConfig.shown.after}:1: cannot tell the configuration's format`),
  );
});

test('options that need a matrix or a deployment are refused without one', () => {
  const c = configs(filterTable({}, SERVER), filterTable({}, SERVER));
  assert.throws(
    () => runDiff(c.before, c.after, { ...OPTIONS, role: ['director=198.51.100.11'] }),
    (e: unknown) => e instanceof InputError && e.message === '--role: roles are for auditing against a matrix: give --matrix ID|FILE too',
  );
  assert.throws(
    () => runDiff(c.before, c.after, { ...OPTIONS, firewall: 'director01' }),
    (e: unknown) => e instanceof InputError && e.message === '--firewall: names a firewall of a deployment: give --deployment FILE too',
  );
});
