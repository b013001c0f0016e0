import type { XmlElement } from '../../xml-source/src';
import { FieldReader, type ReadContext } from './fields';
import type { FilterSettings, InterfaceSettings, SshSettings, SystemSettings, WebGuiSettings } from './model';

const NO_ELEMENTS: readonly XmlElement[] = [];

/** `<system>`; a config.xml without one reads as a system with nothing set, located at the root. */
export function readSystem(element: XmlElement | undefined, root: XmlElement, context: ReadContext): SystemSettings {
  if (element === undefined) {
    return {
      line: root.line,
      path: `${root.path}/system`,
      hostname: undefined,
      domain: undefined,
      ipv6allow: undefined,
      disablefilter: undefined,
      no_apipa_block: undefined,
      no_port0_block: undefined,
      disablenatreflection: undefined,
      enablenatreflectionpurenat: undefined,
      disablereplyto: undefined,
      webgui: undefined,
      ssh: undefined,
      extra: NO_ELEMENTS,
    };
  }
  const fields = new FieldReader(element, context);
  const webgui = fields.child('webgui');
  const ssh = fields.child('ssh');
  return {
    line: element.line,
    path: element.path,
    hostname: fields.text('hostname'),
    domain: fields.text('domain'),
    ipv6allow: fields.text('ipv6allow'),
    disablefilter: fields.text('disablefilter'),
    no_apipa_block: fields.text('no_apipa_block'),
    no_port0_block: fields.text('no_port0_block'),
    disablenatreflection: fields.text('disablenatreflection'),
    enablenatreflectionpurenat: fields.text('enablenatreflectionpurenat'),
    disablereplyto: fields.text('disablereplyto'),
    webgui: webgui === undefined ? undefined : readWebGui(webgui, context),
    ssh: ssh === undefined ? undefined : readSsh(ssh, context),
    extra: fields.extra(),
  };
}

function readWebGui(element: XmlElement, context: ReadContext): WebGuiSettings {
  const fields = new FieldReader(element, context);
  return {
    line: element.line,
    path: element.path,
    protocol: fields.text('protocol'),
    port: fields.text('port'),
    noantilockout: fields.text('noantilockout'),
    disablehttpredirect: fields.text('disablehttpredirect'),
    extra: fields.extra(),
  };
}

function readSsh(element: XmlElement, context: ReadContext): SshSettings {
  const fields = new FieldReader(element, context);
  return {
    line: element.line,
    path: element.path,
    enable: fields.text('enable'),
    enabled: fields.text('enabled'),
    port: fields.text('port'),
    extra: fields.extra(),
  };
}

export function readInterfaceSettings(element: XmlElement, context: ReadContext): InterfaceSettings {
  const fields = new FieldReader(element, context);
  return { line: element.line, path: element.path, disableipv6: fields.text('disableipv6'), extra: fields.extra() };
}

/** `<filter>`'s settings; its `<rule>` and `<separator>` children are read elsewhere. */
export function readFilterSettings(element: XmlElement, context: ReadContext): FilterSettings {
  const fields = new FieldReader(element, context);
  fields.children('rule');
  fields.children('separator');
  return { line: element.line, path: element.path, bypassstaticroutes: fields.text('bypassstaticroutes'), extra: fields.extra() };
}
