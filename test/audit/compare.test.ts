/** compareFilters on compiled programs: what changes class, what is merged, which interfaces are which. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, filterTable } from '../helpers/programs';
import { compareFilters, interfaceNames, sameInterfaces, type FlowChange } from '../../src/audit/compare';

/** A change without its packet set, which has no readable form of its own. */
function summary(change: FlowChange) {
  const { set: _set, ...rest } = change;
  return rest;
}

const ref = (line: number, text: string) => ({ file: 'test.rules', line, text });

test('a verdict within the same class (DROP to REJECT) is no change', () => {
  const chains = (target: string) => ['-A INPUT -p tcp -j T', '-A INPUT -p udp -j T', `-A T -s 10.0.0.0/8 -j ${target}`];
  assert.deepEqual(compareFilters(compile(filterTable({}, chains('DROP'), ['T'])), compile(filterTable({}, chains('REJECT'), ['T']))), []);
});

test('packets that meet the same deciders on both sides by different paths are one change', () => {
  // T is entered from two rules, so its DROP rule decides two separate outcomes before the change.
  const chains = (target: string) => ['-A INPUT -p tcp -j T', '-A INPUT -p udp -j T', `-A T -s 10.0.0.0/8 -j ${target}`];
  const changes = compareFilters(compile(filterTable({}, chains('DROP'), ['T'])), compile(filterTable({}, chains('ACCEPT'), ['T'])));
  assert.deepEqual(changes.map(summary), [
    {
      kind: 'newly-allowed',
      point: 'INPUT',
      family: 4,
      before: { verdict: 'drop', rule: ref(8, '-A T -s 10.0.0.0/8 -j DROP') },
      after: { verdict: 'accept', rule: ref(8, '-A T -s 10.0.0.0/8 -j ACCEPT') },
      witness: { src: '10.0.0.1', dst: '203.0.113.77', proto: 'tcp', sport: 40000, dport: 443, chain: 'INPUT' },
      extent: { sources: 1n << 24n, destinations: 1n << 32n, protocols: 2n, destinationPorts: 65536n },
    },
  ]);
});

test('OUTPUT and FORWARD are compared too, each with its own interfaces', () => {
  const before = compile(filterTable({ FORWARD: 'DROP', OUTPUT: 'DROP' }, []));
  const after = compile(
    filterTable({ FORWARD: 'DROP', OUTPUT: 'DROP' }, [
      '-A FORWARD -i eth0 -o eth1 -p udp -m udp --dport 53 -j ACCEPT',
      '-A OUTPUT -p icmp -j ACCEPT',
    ]),
    ['eth0', 'eth1'],
  );
  const rebuilt = compile(filterTable({ FORWARD: 'DROP', OUTPUT: 'DROP' }, []), interfaceNames(after));
  assert.deepEqual(
    compareFilters(rebuilt, after).map((c) => [c.kind, c.point, c.before.policy?.chain, c.after.rule?.line, c.witness]),
    [
      [
        'newly-allowed',
        'FORWARD',
        'filter/FORWARD',
        5,
        { src: '203.0.113.77', dst: '203.0.113.77', proto: 'udp', sport: 40000, dport: 53, in: 'eth0', out: 'eth1', chain: 'FORWARD' },
      ],
      [
        'newly-allowed',
        'OUTPUT',
        'filter/OUTPUT',
        6,
        { src: '203.0.113.77', dst: '203.0.113.77', proto: 'icmp', icmpType: 0, icmpCode: 0, out: 'eth0', chain: 'OUTPUT' },
      ],
    ],
  );
  assert.equal(sameInterfaces(before, after), false);
});

test('programs whose interface indices differ are refused, and agree once compiled with the same names', () => {
  const before = compile(filterTable({ INPUT: 'DROP' }, ['-A INPUT -i eth1 -p tcp -m tcp --dport 22 -j ACCEPT']));
  const afterText = filterTable({ INPUT: 'DROP' }, [
    '-A INPUT -i eth0 -p tcp -m tcp --dport 80 -j ACCEPT',
    '-A INPUT -i eth1 -p tcp -m tcp --dport 22 -j ACCEPT',
  ]);
  const after = compile(afterText);
  // eth1 is index 1 before and 2 after: intersecting as they are would mistake one interface for the other.
  assert.deepEqual([before.interfaces.indexOf('eth1'), after.interfaces.indexOf('eth1')], [1, 2]);
  assert.throws(() => compareFilters(before, after), /same interface names/);

  const names = [...new Set([...interfaceNames(before), ...interfaceNames(after)])];
  assert.deepEqual(names, ['eth1', 'lo', 'eth0']);
  const shared = {
    before: compile(filterTable({ INPUT: 'DROP' }, ['-A INPUT -i eth1 -p tcp -m tcp --dport 22 -j ACCEPT']), names),
    after: compile(afterText, names),
  };
  assert.equal(sameInterfaces(shared.before, shared.after), true);
  assert.deepEqual(compareFilters(shared.before, shared.after).map(summary), [
    {
      kind: 'newly-allowed',
      point: 'INPUT',
      family: 4,
      before: {
        verdict: 'drop',
        rule: null,
        policy: { chain: 'filter/INPUT', phrase: "the INPUT chain's default policy", source: ref(2, ':INPUT DROP') },
      },
      after: { verdict: 'accept', rule: ref(5, '-A INPUT -i eth0 -p tcp -m tcp --dport 80 -j ACCEPT') },
      witness: { src: '203.0.113.77', dst: '203.0.113.77', proto: 'tcp', sport: 40000, dport: 80, in: 'eth0', chain: 'INPUT' },
      extent: { sources: 1n << 32n, destinations: 1n << 32n, protocols: 1n, destinationPorts: 1n },
    },
  ]);
});
