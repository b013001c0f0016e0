import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type XmlElement, XML_NAMESPACE, parseXml } from '../src';

function only(element: XmlElement | undefined): XmlElement {
  assert.ok(element, 'element expected');
  return element;
}

describe('elements', () => {
  const config = [
    '<?xml version="1.0"?>',
    '<pfsense>',
    '\t<filter>',
    '\t\t<rule><type>pass</type></rule>',
    '\t\t<separator/>',
    '\t\t<rule>',
    '\t\t\t<type>block</type>',
    '\t\t\t<descr><![CDATA[Block <bad> & "ugly"]]></descr>',
    '\t\t</rule>',
    '\t</filter>',
    '</pfsense>',
  ].join('\n');

  it('keeps names, children in document order, text, lines, columns and paths', () => {
    const { root, elementCount } = parseXml(config);
    assert.equal(elementCount, 8);
    assert.equal(root.name, 'pfsense');
    assert.equal(root.path, '/pfsense');
    assert.deepEqual([root.line, root.column], [2, 1]);
    const filter = only(root.firstChild('filter'));
    assert.deepEqual(
      filter.children.map((child) => [child.name, child.path, child.line, child.column]),
      [
        ['rule', '/pfsense/filter/rule[1]', 4, 3],
        ['separator', '/pfsense/filter/separator', 5, 3],
        ['rule', '/pfsense/filter/rule[2]', 6, 3],
      ],
    );
    const [first, second] = filter.childrenNamed('rule');
    assert.equal(only(first.firstChild('type')).text, 'pass');
    assert.equal(only(first.firstChild('type')).path, '/pfsense/filter/rule[1]/type');
    assert.equal(only(second.firstChild('descr')).text, 'Block <bad> & "ugly"');
    assert.equal(only(second.firstChild('descr')).line, 8);
    assert.equal(second.parent, filter);
    assert.equal(root.parent, undefined);
  });

  it("keeps an element's direct text, not trimmed, without its children's", () => {
    const { root } = parseXml('<a> x <b>inner</b> y<![CDATA[ z ]]></a>');
    assert.equal(root.text, ' x  y z ');
    assert.equal(root.children[0].text, 'inner');
  });

  it('decodes the predefined entities and character references, in text and attributes', () => {
    const { root } = parseXml('<a v="&lt;&amp;&gt;&quot;&apos;&#65;&#x42;&#x1F600;">&lt;tab&#9;&amp;&#x263a;&gt;</a>');
    assert.equal(root.attributes.get('v'), `<&>"'AB\u{1F600}`);
    assert.equal(root.text, '<tab\t&\u263a>');
  });

  it('keeps CDATA content as written, references and all', () => {
    const { root } = parseXml('<a><![CDATA[&amp; <not-a-tag/> ]]]></a>');
    assert.equal(root.text, '&amp; <not-a-tag/> ]');
  });

  it('normalizes line ends in text and whitespace in attribute values as XML does, keeping what references produce', () => {
    const { root } = parseXml('<a v="one\r\ntwo\tthree&#10;four">x\r\ny\rz&#13;</a>');
    assert.equal(root.attributes.get('v'), 'one two three\nfour');
    assert.equal(root.text, 'x\ny\nz\r');
  });

  it('counts lines across LF, CRLF and lone CR line ends', () => {
    const { root } = parseXml('<a>\r\n<b/>\r<c/>\n  <d/></a>');
    assert.deepEqual(
      root.children.map((child) => [child.name, child.line, child.column]),
      [
        ['b', 2, 1],
        ['c', 3, 1],
        ['d', 4, 3],
      ],
    );
  });

  it('ignores a byte-order mark the caller left in the text', () => {
    const { root } = parseXml('\ufeff<a>\n<b/></a>');
    assert.deepEqual([root.line, root.column, root.children[0].line], [1, 1, 2]);
  });

  it('keeps attributes in a prototype-free way: __proto__, constructor and toString are ordinary names', () => {
    const { root } = parseXml(
      '<__proto__ constructor="c" toString="t" __proto__="p"><constructor/><toString/><hasOwnProperty/></__proto__>',
    );
    assert.equal(root.name, '__proto__');
    assert.deepEqual(
      [...root.attributes],
      [
        ['constructor', 'c'],
        ['toString', 't'],
        ['__proto__', 'p'],
      ],
    );
    assert.deepEqual(
      root.children.map((child) => child.path),
      ['/__proto__/constructor', '/__proto__/toString', '/__proto__/hasOwnProperty'],
    );
    assert.equal(root.attributes.get('hasOwnProperty'), undefined);
  });

  it('skips comments, processing instructions and a bare DOCTYPE', () => {
    const { root } = parseXml('<?xml version="1.0"?>\n<!DOCTYPE a>\n<!-- <b/> -->\n<a><?pi data?><!-- c -->t</a>\n<!-- after -->\n');
    assert.equal(root.line, 4);
    assert.equal(root.children.length, 0);
    assert.equal(root.text, 't');
  });
});

describe('namespaces', () => {
  // Windows GPO reports bind one namespace to whatever prefix the writer chose.
  const report = [
    '<rep:Report xmlns:rep="urn:report" xmlns="urn:default">',
    '  <rep:Extension xmlns:q1="urn:firewall" xmlns:q6="urn:firewall">',
    '    <q1:Rule q1:id="a"/>',
    '    <q6:Rule/>',
    '    <Rule/>',
    '    <inner xmlns=""><Rule/></inner>',
    '  </rep:Extension>',
    '</rep:Report>',
  ].join('\n');

  it('resolves each prefix to the URI declared in scope, so elements match by namespace, not prefix', () => {
    const { root } = parseXml(report);
    assert.deepEqual([root.namespace, root.localName, root.prefix], ['urn:report', 'Report', 'rep']);
    const extension = only(root.firstChildNS('urn:report', 'Extension'));
    const rules = extension.childrenNS('urn:firewall', 'Rule');
    assert.deepEqual(
      rules.map((rule) => [rule.name, rule.line]),
      [
        ['q1:Rule', 3],
        ['q6:Rule', 4],
      ],
    );
    assert.equal(rules[0].attributes.get('q1:id'), 'a');
    assert.deepEqual(
      extension.childrenNS('urn:default', 'Rule').map((rule) => rule.line),
      [5],
    );
    const inner = only(extension.firstChild('inner'));
    assert.equal(inner.namespace, undefined);
    assert.equal(only(inner.firstChildNS(undefined, 'Rule')).path, '/rep:Report/rep:Extension/inner/Rule');
    assert.equal(inner.lookupNamespace('q6'), 'urn:firewall');
    assert.equal(root.lookupNamespace('xml'), XML_NAMESPACE);
  });

  it('gives paths by qualified name as written', () => {
    const { root } = parseXml(report);
    const extension = root.children[0];
    assert.deepEqual(
      extension.children.map((child) => child.path),
      [
        '/rep:Report/rep:Extension/q1:Rule',
        '/rep:Report/rep:Extension/q6:Rule',
        '/rep:Report/rep:Extension/Rule',
        '/rep:Report/rep:Extension/inner',
      ],
    );
  });
});
