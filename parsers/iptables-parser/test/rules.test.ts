import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Rule } from '../src';
import { findChain, parseFilter, parseLines } from './helpers';

/** The one rule of a filter table holding `-A INPUT <spec>` after a user chain USER. */
function ruleOf(spec: string, chain = 'INPUT'): Rule {
  const ruleset = parseFilter(':USER - [0:0]', `-A ${chain} ${spec}`);
  const [rule] = findChain(ruleset, 'filter', chain).rules;
  return rule;
}

describe('rule lines', () => {
  it('keeps line, trimmed text and the spec without command and chain', () => {
    const ruleset = parseLines('# header', '*filter', '', '   -A INPUT -s 10.0.0.0/8 -j ACCEPT  \r', 'COMMIT');
    const [rule] = findChain(ruleset, 'filter', 'INPUT').rules;
    assert.equal(rule.line, 4);
    assert.equal(rule.text, '-A INPUT -s 10.0.0.0/8 -j ACCEPT');
    assert.equal(rule.spec, '-s 10.0.0.0/8 -j ACCEPT');
  });

  it('reads every base option in short and long form', () => {
    const expected = {
      protocol: { value: 'tcp', negated: false },
      source: { value: '10.0.0.1', negated: false },
      destination: { value: '10.0.0.2/32', negated: false },
      inInterface: { value: 'eth0', negated: false },
      fragment: { value: true, negated: false },
      familyOnly: 4,
    };
    for (const spec of [
      '-p tcp -s 10.0.0.1 -d 10.0.0.2/32 -i eth0 -f -4',
      '--protocol tcp --source 10.0.0.1 --destination 10.0.0.2/32 --in-interface eth0 --fragment --ipv4',
      '--protocol tcp --src 10.0.0.1 --dst 10.0.0.2/32 --in-interface eth0 -f -4',
    ]) {
      const rule = ruleOf(`${spec} -j ACCEPT`);
      assert.deepEqual(
        {
          protocol: rule.protocol,
          source: rule.source,
          destination: rule.destination,
          inInterface: rule.inInterface,
          fragment: rule.fragment,
          familyOnly: rule.familyOnly,
        },
        expected,
        spec,
      );
    }
    assert.deepEqual(ruleOf('--out-interface ppp+ -j ACCEPT', 'FORWARD').outInterface, { value: 'ppp+', negated: false });
    assert.equal(ruleOf('--ipv6 -j ACCEPT').familyOnly, 6);
  });

  it('reads negation before the option and in the old place after it', () => {
    for (const spec of ['! -s 1.2.3.4 ! -p udp ! -i lo', '-s ! 1.2.3.4 -p ! udp -i ! lo']) {
      const rule = ruleOf(spec);
      assert.deepEqual(rule.source, { value: '1.2.3.4', negated: true }, spec);
      assert.deepEqual(rule.protocol, { value: 'udp', negated: true }, spec);
      assert.deepEqual(rule.inInterface, { value: 'lo', negated: true }, spec);
    }
    assert.deepEqual(ruleOf('! -f').fragment, { value: true, negated: true });
    assert.deepEqual(ruleOf('-o ! eth1', 'FORWARD').outInterface, { value: 'eth1', negated: true });
  });

  it('negates module options either way', () => {
    for (const spec of ['-p tcp -m tcp ! --dport 80', '-p tcp -m tcp --dport ! 80']) {
      assert.deepEqual(
        ruleOf(spec).matches,
        [{ name: 'tcp', implicit: false, options: [{ name: 'dport', negated: true, values: ['80'] }] }],
        spec,
      );
    }
  });

  it('reads a lone "!" after a flag option as negating the next option', () => {
    assert.deepEqual(ruleOf('-p tcp -m tcp --syn ! --dport 22').matches[0].options, [
      { name: 'syn', negated: false, values: [] },
      { name: 'dport', negated: true, values: ['22'] },
    ]);
  });

  it('keeps every option of every module, known or not, with all its values', () => {
    const rule = ruleOf(
      '-m recent --update --seconds 60 --hitcount 2 --name SSHA --rsource -m set ! --match-set blocked src,dst -m hashlimit --hashlimit-above 10/sec --hashlimit-mode srcip -j DROP',
    );
    assert.deepEqual(rule.matches, [
      {
        name: 'recent',
        implicit: false,
        options: [
          { name: 'update', negated: false, values: [] },
          { name: 'seconds', negated: false, values: ['60'] },
          { name: 'hitcount', negated: false, values: ['2'] },
          { name: 'name', negated: false, values: ['SSHA'] },
          { name: 'rsource', negated: false, values: [] },
        ],
      },
      { name: 'set', implicit: false, options: [{ name: 'match-set', negated: true, values: ['blocked', 'src,dst'] }] },
      {
        name: 'hashlimit',
        implicit: false,
        options: [
          { name: 'hashlimit-above', negated: false, values: ['10/sec'] },
          { name: 'hashlimit-mode', negated: false, values: ['srcip'] },
        ],
      },
    ]);
  });

  it('takes a quoted word as a value even when it looks like an option', () => {
    assert.deepEqual(ruleOf('-m comment --comment "-j DROP" -j ACCEPT').matches[0].options, [
      { name: 'comment', negated: false, values: ['-j DROP'] },
    ]);
    assert.deepEqual(ruleOf('-m comment --comment "!"').matches[0].options, [{ name: 'comment', negated: false, values: ['!'] }]);
    assert.deepEqual(ruleOf('-m comment --comment "\\"\\\\"').matches[0].options, [{ name: 'comment', negated: false, values: ['"\\'] }]);
  });

  it('gives options after -p to the protocol match it loads implicitly', () => {
    assert.deepEqual(ruleOf('-p tcp --dport 22 --syn -j ACCEPT').matches, [
      {
        name: 'tcp',
        implicit: true,
        options: [
          { name: 'dport', negated: false, values: ['22'] },
          { name: 'syn', negated: false, values: [] },
        ],
      },
    ]);
    assert.deepEqual(ruleOf('-p udp ! --sport 53').matches, [
      { name: 'udp', implicit: true, options: [{ name: 'sport', negated: true, values: ['53'] }] },
    ]);
    assert.deepEqual(ruleOf('-p icmp --icmp-type 8').matches[0].name, 'icmp');
    assert.deepEqual(ruleOf('-p ipv6-icmp --icmpv6-type 133').matches[0].name, 'icmp6');
    assert.deepEqual(ruleOf('-p 6 --dport 22').matches[0].name, 'tcp');
    assert.deepEqual(ruleOf('-p GRE --key 5').matches, [
      { name: 'gre', implicit: true, options: [{ name: 'key', negated: false, values: ['5'] }] },
    ]);
  });

  it('gives a protocol option written after another module to the protocol match, as iptables does', () => {
    assert.deepEqual(ruleOf('-p tcp -m state --state NEW --dport 22 -j ACCEPT').matches, [
      { name: 'state', implicit: false, options: [{ name: 'state', negated: false, values: ['NEW'] }] },
      { name: 'tcp', implicit: true, options: [{ name: 'dport', negated: false, values: ['22'] }] },
    ]);
    assert.deepEqual(ruleOf('-p tcp -m tcp --dport 22 -m state --state NEW --sport 7').matches, [
      {
        name: 'tcp',
        implicit: false,
        options: [
          { name: 'dport', negated: false, values: ['22'] },
          { name: 'sport', negated: false, values: ['7'] },
        ],
      },
      { name: 'state', implicit: false, options: [{ name: 'state', negated: false, values: ['NEW'] }] },
    ]);
  });

  it('keeps an unknown option inside the module it follows', () => {
    assert.deepEqual(ruleOf('-p udp -m multiport --ports 8080:8081,8082 --something-else -j ACCEPT').matches, [
      {
        name: 'multiport',
        implicit: false,
        options: [
          { name: 'ports', negated: false, values: ['8080:8081,8082'] },
          { name: 'something-else', negated: false, values: [] },
        ],
      },
    ]);
  });

  it('ends a module at the next base option', () => {
    const rule = ruleOf('-m comment --comment x -s 127.0.0.0/8 -j ACCEPT');
    assert.deepEqual(rule.matches, [{ name: 'comment', implicit: false, options: [{ name: 'comment', negated: false, values: ['x'] }] }]);
    assert.deepEqual(rule.source, { value: '127.0.0.0/8', negated: false });
  });

  it('puts target options in the target', () => {
    assert.deepEqual(ruleOf('-j LOG --log-prefix "IPTables-Dropped: " --log-level 4').target, {
      kind: 'jump',
      name: 'LOG',
      options: [
        { name: 'log-prefix', negated: false, values: ['IPTables-Dropped: '] },
        { name: 'log-level', negated: false, values: ['4'] },
      ],
    });
    assert.deepEqual(ruleOf('-p tcp -j REJECT --reject-with tcp-reset').target?.options, [
      { name: 'reject-with', negated: false, values: ['tcp-reset'] },
    ]);
    assert.deepEqual(ruleOf('-j MARK --set-xmark 0x1/0xffffffff').target?.options, [
      { name: 'set-xmark', negated: false, values: ['0x1/0xffffffff'] },
    ]);
  });

  it('reads -g as a goto and a user chain as a jump target', () => {
    assert.deepEqual(ruleOf('-g USER').target, { kind: 'goto', name: 'USER', options: [] });
    assert.deepEqual(ruleOf('--goto USER').target, { kind: 'goto', name: 'USER', options: [] });
    assert.deepEqual(ruleOf('--jump USER').target, { kind: 'jump', name: 'USER', options: [] });
  });

  it('leaves the target out of a rule without one', () => {
    const rule = ruleOf('-s 1.2.3.4');
    assert.equal('target' in rule, false);
    assert.deepEqual(rule.matches, []);
  });

  it('reads the options of a target extension it does not model', () => {
    assert.deepEqual(ruleOf('-j TARPIT --tarpit').target, {
      kind: 'jump',
      name: 'TARPIT',
      options: [{ name: 'tarpit', negated: false, values: [] }],
    });
  });

  it('reads counters as a [p:b] prefix or as -c / --set-counters (which wins), and keeps them out of the spec', () => {
    const ruleset = parseFilter(
      '[12:3456] -A INPUT -j ACCEPT',
      '-A INPUT -c 7 8 -j DROP',
      '-A INPUT --set-counters 9,10 -j DROP',
      '[18446744073709551615:1]-A INPUT',
      '[1:2] -A INPUT -c 3 4',
    );
    const rules = findChain(ruleset, 'filter', 'INPUT').rules;
    assert.deepEqual(
      rules.map((rule) => [rule.counters, rule.spec, rule.text]),
      [
        [{ packets: 12n, bytes: 3456n }, '-j ACCEPT', '[12:3456] -A INPUT -j ACCEPT'],
        [{ packets: 7n, bytes: 8n }, '-j DROP', '-A INPUT -c 7 8 -j DROP'],
        [{ packets: 9n, bytes: 10n }, '-j DROP', '-A INPUT --set-counters 9,10 -j DROP'],
        [{ packets: 18446744073709551615n, bytes: 1n }, '', '[18446744073709551615:1]-A INPUT'],
        [{ packets: 3n, bytes: 4n }, '', '[1:2] -A INPUT -c 3 4'],
      ],
    );
  });

  it('accepts the command anywhere on the line, as getopt does', () => {
    const ruleset = parseFilter('-s 1.2.3.4 -A INPUT -j ACCEPT');
    assert.equal(findChain(ruleset, 'filter', 'INPUT').rules[0].spec, '-s 1.2.3.4 -j ACCEPT');
  });

  it('accepts an unambiguous abbreviation of a base option before any module', () => {
    assert.deepEqual(ruleOf('--proto tcp --dport 22').protocol, { value: 'tcp', negated: false });
  });

  it('keeps a module option that abbreviates a base option in its module', () => {
    assert.deepEqual(
      ruleOf('-m policy --dir in --pol ipsec --proto esp').matches[0].options.map((option) => option.name),
      ['dir', 'pol', 'proto'],
    );
    assert.deepEqual(
      ruleOf('-m recent --set --name x').matches[0].options.map((option) => option.name),
      ['set', 'name'],
    );
  });
});
