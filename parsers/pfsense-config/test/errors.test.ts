import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigSyntaxError, parseConfigXml } from '../src';
import { assertConfigError, xml } from './helpers';

describe('a config.xml that cannot be read', () => {
  it('is refused where the XML goes wrong', () => {
    const error = assertConfigError(
      xml('<pfsense>', '  <filter>', '    <rule><type>pass</rule>', '  </filter>', '</pfsense>'),
      3,
      /^end tag <\/rule> where <\/type> \(opened at line 3, column 11\) was expected$/,
    );
    assert.equal(error.column, 21);
    assert.equal(error.message, 'line 3:21: end tag </rule> where </type> (opened at line 3, column 11) was expected');
  });

  it('is refused when it is not a pfSense or OPNsense config.xml', () => {
    assertConfigError(xml('<?xml version="1.0"?>', '<GPO/>'), 2, /^root element <GPO>; expected <pfsense> or <opnsense>/, '/GPO');
  });

  it('refuses a field repeated with different values, naming both places', () => {
    assertConfigError(
      xml('<pfsense><filter>', '<rule>', '<interface>lan</interface>', '<interface>wan</interface>', '</rule>', '</filter></pfsense>'),
      4,
      /^<interface> is repeated in <rule> \(first at line 3\) with different content; expected it once$/,
      '/pfsense/filter/rule/interface[2]',
    );
  });

  it('reads a field repeated with the same value once, with a warning', () => {
    const config = parseConfigXml(
      xml(
        '<pfsense><filter>',
        '<rule>',
        '<ipprotocol>inet</ipprotocol>',
        '<ipprotocol>inet</ipprotocol>',
        '</rule>',
        '</filter></pfsense>',
      ),
    );
    assert.equal(config.filterRules[0].ipprotocol?.line, 3);
    assert.deepEqual(config.warnings, [
      {
        line: 4,
        path: '/pfsense/filter/rule/ipprotocol[2]',
        message:
          '<ipprotocol> is repeated in <rule> (first at line 3) with the same value, read once; pfSense refuses to load a config.xml with a repeated <ipprotocol>',
      },
    ]);
  });

  it('refuses elements where the firewall reads text', () => {
    assertConfigError(
      xml('<pfsense><filter><rule>', '<interface><lan/></interface>', '</rule></filter></pfsense>'),
      2,
      /^<lan> inside <interface>; expected <interface> to hold text only$/,
      '/pfsense/filter/rule/interface/lan',
    );
  });

  it('refuses a repeated section with different content', () => {
    assertConfigError(
      xml('<pfsense>', '<filter><rule><type>pass</type></rule></filter>', '<filter><rule><type>block</type></rule></filter>', '</pfsense>'),
      3,
      /^<filter> is repeated in <pfsense> \(first at line 2\) with different content; expected it once$/,
      '/pfsense/filter[2]',
    );
  });
});

describe('a hostile config.xml', () => {
  it('is refused at its DOCTYPE, expanding no entity and reading no file', () => {
    const laughs = xml(
      '<?xml version="1.0"?>',
      '<!DOCTYPE pfsense [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
      '<pfsense><filter><rule><descr>&b;</descr></rule></filter></pfsense>',
    );
    assertConfigError(laughs, 2, /^DOCTYPE with an internal subset/);
    assertConfigError(xml('<!DOCTYPE pfsense SYSTEM "file:///etc/passwd">', '<pfsense/>'), 1, /SYSTEM or PUBLIC/);
    assertConfigError(xml('<pfsense><filter><rule><descr>&xxe;</descr></rule></filter></pfsense>'), 1, /^undefined entity &xxe;/);
  });

  it('is refused when nested too deep, at the element that goes too deep', () => {
    const deep = '<pfsense>' + '<x>'.repeat(10_000) + '</x>'.repeat(10_000) + '</pfsense>';
    assert.throws(
      () => parseConfigXml(deep),
      (error: unknown) => error instanceof ConfigSyntaxError && /nested 257 elements deep/.test(error.message),
    );
  });
});
