import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type FilterRule, type Text, parseConfigXml } from '../src';

/*
 * Random rule lists, written the way pfSense and OPNsense write them (fields in any order,
 * empty elements self-closed or not, CDATA or references, any indentation), are read back:
 * every field keeps its value, line and path, unknown fields stay in `extra`, and positions
 * count the rules.
 */

const SCALAR_FIELDS = [
  'type',
  'interface',
  'floating',
  'quick',
  'direction',
  'ipprotocol',
  'protocol',
  'disabled',
  'sched',
  'gateway',
  'descr',
  'tracker',
] as const;
const ENDPOINT_FIELDS = ['any', 'address', 'network', 'port', 'not'] as const;
const UNKNOWN_FIELDS = ['max-src-conn', 'created', 'statetimeout', '__proto__', 'constructor'] as const;

const value = fc
  .string({ unit: fc.constantFrom('a', 'Z', '0', '.', '/', ':', '-', ',', ' ', '&', '<', '>', '"'), maxLength: 10 })
  .map((text) => text.trim());

interface GeneratedRule {
  scalars: Array<[(typeof SCALAR_FIELDS)[number], string]>;
  source: Array<[(typeof ENDPOINT_FIELDS)[number], string]> | undefined;
  unknown: Array<(typeof UNKNOWN_FIELDS)[number]>;
  style: 'cdata' | 'references';
}

const endpoint = fc.uniqueArray(fc.tuple(fc.constantFrom(...ENDPOINT_FIELDS), value), { selector: ([name]) => name, maxLength: 4 });
const generatedRule: fc.Arbitrary<GeneratedRule> = fc.record({
  scalars: fc.uniqueArray(fc.tuple(fc.constantFrom(...SCALAR_FIELDS), value), { selector: ([name]) => name, minLength: 1, maxLength: 8 }),
  source: fc.option(endpoint, { nil: undefined }),
  unknown: fc.uniqueArray(fc.constantFrom(...UNKNOWN_FIELDS), { maxLength: 3 }),
  style: fc.constantFrom('cdata' as const, 'references' as const),
});

function escape(text: string, style: GeneratedRule['style']): string {
  if (text === '') return '';
  if (style === 'cdata') return `<![CDATA[${text}]]>`;
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function leaf(name: string, text: string, style: GeneratedRule['style']): string {
  return text === '' ? `<${name}/>` : `<${name}>${escape(text, style)}</${name}>`;
}

interface Written {
  text: string;
  /** For each rule, for each field: the line it was written on. */
  lines: Array<Map<string, number>>;
  ruleLines: number[];
}

function write(rules: GeneratedRule[], indent: string): Written {
  const out = ['<?xml version="1.0"?>', '<pfsense>', `${indent}<filter>`];
  const lines: Array<Map<string, number>> = [];
  const ruleLines: number[] = [];
  for (const rule of rules) {
    const fieldLines = new Map<string, number>();
    ruleLines.push(out.length + 1);
    out.push(`${indent}${indent}<rule>`);
    for (const [name, text] of rule.scalars) {
      fieldLines.set(name, out.length + 1);
      out.push(`${indent.repeat(3)}${leaf(name, text, rule.style)}`);
    }
    if (rule.source !== undefined) {
      fieldLines.set('source', out.length + 1);
      out.push(`${indent.repeat(3)}<source>`);
      for (const [name, text] of rule.source) {
        fieldLines.set(`source/${name}`, out.length + 1);
        out.push(`${indent.repeat(4)}${leaf(name, text, rule.style)}`);
      }
      out.push(`${indent.repeat(3)}</source>`);
    }
    for (const name of rule.unknown) out.push(`${indent.repeat(3)}<${name}><time>1</time></${name}>`);
    out.push(`${indent}${indent}</rule>`);
    lines.push(fieldLines);
  }
  out.push(`${indent}</filter>`, '</pfsense>');
  return { text: out.join('\n'), lines, ruleLines };
}

function field(rule: FilterRule, name: string): Text | undefined {
  return (rule as unknown as Record<string, Text | undefined>)[name];
}

describe('filter rules written and read back', () => {
  it('keep every field with its value, line and path, and unknown fields in extra', () => {
    fc.assert(
      fc.property(fc.array(generatedRule, { minLength: 1, maxLength: 6 }), fc.constantFrom('\t', '  ', ''), (rules, indent) => {
        const written = write(rules, indent);
        const config = parseConfigXml(written.text);
        assert.equal(config.filterRules.length, rules.length);
        config.filterRules.forEach((read, index) => {
          const rule = rules[index];
          const rulePath = rules.length === 1 ? '/pfsense/filter/rule' : `/pfsense/filter/rule[${index + 1}]`;
          assert.deepEqual([read.position, read.line, read.path], [index, written.ruleLines[index], rulePath]);
          for (const [name, text] of rule.scalars) {
            assert.deepEqual(field(read, name), { value: text, line: written.lines[index].get(name), path: `${rulePath}/${name}` });
          }
          for (const name of SCALAR_FIELDS) {
            if (!rule.scalars.some(([written]) => written === name)) assert.equal(field(read, name), undefined, name);
          }
          assert.equal(read.source === undefined, rule.source === undefined);
          for (const [name, text] of rule.source ?? []) {
            const endpointField = (read.source as unknown as Record<string, Text | undefined>)[name];
            assert.deepEqual(endpointField, {
              value: text,
              line: written.lines[index].get(`source/${name}`),
              path: `${rulePath}/source/${name}`,
            });
          }
          assert.deepEqual(
            read.extra.map((element) => element.name),
            rule.unknown,
          );
        });
      }),
      { numRuns: 200 },
    );
  });
});
