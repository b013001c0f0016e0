import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigSyntaxError, parseConfigXml } from '../src';

/** One pfSense rule as the GUI writes it, about 600 bytes. */
function rule(index: number): string {
  return [
    '\t\t<rule>',
    `\t\t\t<id></id><tracker>${1_000_000 + index}</tracker><type>pass</type><interface>lan</interface>`,
    '\t\t\t<ipprotocol>inet</ipprotocol><tag></tag><tagged></tagged><max></max><max-src-nodes></max-src-nodes>',
    '\t\t\t<statetype><![CDATA[keep state]]></statetype><os></os><protocol>tcp</protocol>',
    '\t\t\t<source><network>lan</network></source>',
    `\t\t\t<destination><address>198.51.100.${index % 250}</address><port>${(index % 65535) + 1}</port></destination>`,
    `\t\t\t<descr><![CDATA[generated rule ${index}]]></descr>`,
    '\t\t\t<created><time>1700000000</time><username><![CDATA[admin@192.0.2.1 (Local Database)]]></username></created>',
    '\t\t</rule>',
  ].join('\n');
}

function generate(megabytes: number): { text: string; rules: number } {
  const parts = ['<?xml version="1.0"?>\n<pfsense>\n\t<version>23.3</version>\n\t<filter>\n'];
  let size = parts[0].length;
  let rules = 0;
  while (size < megabytes * 1024 * 1024) {
    const next = rule(rules++) + '\n';
    parts.push(next);
    size += next.length;
  }
  parts.push('\t</filter>\n</pfsense>\n');
  return { text: parts.join(''), rules };
}

describe('a 50 MB config.xml', () => {
  it('is read within seconds, every rule with its line', () => {
    const { text, rules } = generate(50);
    // CPU time, not wall time: on a shared machine the wall clock also counts the neighbours' work.
    const started = process.cpuUsage();
    const config = parseConfigXml(text);
    const used = process.cpuUsage(started);
    const elapsed = (used.user + used.system) / 1000;
    assert.equal(config.filterRules.length, rules);
    const last = config.filterRules[rules - 1];
    assert.equal(last.line, 4 + (rules - 1) * 9 + 1);
    assert.equal(last.path, `/pfsense/filter/rule[${rules}]`);
    assert.equal(last.tracker?.value, String(1_000_000 + rules - 1));
    // About 8 s on one busy core of the CI machine; the bound leaves room for a slower one.
    assert.ok(elapsed < 30_000, `took ${elapsed} ms`);
  });

  it('is refused at once beyond the length limit', () => {
    const { text } = generate(2);
    const started = Date.now();
    assert.throws(
      () => parseConfigXml(text, { maxLength: 1024 * 1024 }),
      (error: unknown) => error instanceof ConfigSyntaxError && /expected at most 1048576/.test(error.message),
    );
    assert.ok(Date.now() - started < 1000);
  });
});
