import type { XmlElement } from '../../xml-source/src';
import { FieldReader, type ReadContext } from './fields';
import type { ConfigWarning, FilterRule, MvcFilterRule } from './model';

/**
 * The list elements (`<rule>`, `<alias>`, …) that are not empty; pfSense drops an empty one when
 * it reads the file, so it takes no position. Each one dropped is reported.
 */
export function nonEmpty(elements: readonly XmlElement[], warnings: ConfigWarning[]): XmlElement[] {
  return elements.filter((element) => {
    const empty = element.children.length === 0 && element.text.trim() === '';
    if (empty)
      warnings.push({ line: element.line, path: element.path, message: `empty <${element.name}> ignored, as the firewall ignores it` });
    return !empty;
  });
}

/** `<filter><rule>`. */
export function readFilterRules(filter: XmlElement, context: ReadContext): FilterRule[] {
  return nonEmpty(new FieldReader(filter, context).children('rule'), context.warnings).map((rule, position) =>
    readFilterRule(rule, position, context),
  );
}

function readFilterRule(element: XmlElement, position: number, context: ReadContext): FilterRule {
  const fields = new FieldReader(element, context);
  return {
    position,
    uuid: element.attributes.get('uuid'),
    line: element.line,
    path: element.path,
    id: fields.text('id'),
    tracker: fields.text('tracker'),
    type: fields.text('type'),
    interface: fields.text('interface'),
    interfacenot: fields.text('interfacenot'),
    floating: fields.text('floating'),
    quick: fields.text('quick'),
    direction: fields.text('direction'),
    ipprotocol: fields.text('ipprotocol'),
    protocol: fields.text('protocol'),
    icmptype: fields.text('icmptype'),
    icmp6type: fields.text('icmp6type'),
    source: fields.endpoint('source'),
    destination: fields.endpoint('destination'),
    disabled: fields.text('disabled'),
    sched: fields.text('sched'),
    gateway: fields.text('gateway'),
    tag: fields.text('tag'),
    tagged: fields.text('tagged'),
    nottagged: fields.text('nottagged'),
    os: fields.text('os'),
    dscp: fields.text('dscp'),
    vlanprio: fields.text('vlanprio'),
    tcpflags1: fields.text('tcpflags1'),
    tcpflags2: fields.text('tcpflags2'),
    tcpflags_any: fields.text('tcpflags_any'),
    allowopts: fields.text('allowopts'),
    statetype: fields.text('statetype'),
    log: fields.text('log'),
    descr: fields.text('descr'),
    associatedRuleId: fields.text('associated-rule-id'),
    nat: fields.text('nat'),
    extra: fields.extra(),
  };
}

/** OPNsense `<OPNsense><Firewall><Filter><rules><rule>`. */
export function readMvcFilterRules(rules: XmlElement, context: ReadContext): MvcFilterRule[] {
  return nonEmpty(new FieldReader(rules, context).children('rule'), context.warnings).map((rule, position) =>
    readMvcFilterRule(rule, position, context),
  );
}

function readMvcFilterRule(element: XmlElement, position: number, context: ReadContext): MvcFilterRule {
  const fields = new FieldReader(element, context);
  return {
    position,
    uuid: element.attributes.get('uuid'),
    line: element.line,
    path: element.path,
    enabled: fields.text('enabled'),
    sequence: fields.text('sequence'),
    action: fields.text('action'),
    quick: fields.text('quick'),
    interface: fields.text('interface'),
    interfacenot: fields.text('interfacenot'),
    direction: fields.text('direction'),
    ipprotocol: fields.text('ipprotocol'),
    protocol: fields.text('protocol'),
    icmptype: fields.text('icmptype'),
    icmp6type: fields.text('icmp6type'),
    source_net: fields.text('source_net'),
    source_not: fields.text('source_not'),
    source_port: fields.text('source_port'),
    destination_net: fields.text('destination_net'),
    destination_not: fields.text('destination_not'),
    destination_port: fields.text('destination_port'),
    gateway: fields.text('gateway'),
    sched: fields.text('sched'),
    tag: fields.text('tag'),
    tagged: fields.text('tagged'),
    tos: fields.text('tos'),
    prio: fields.text('prio'),
    tcpflags1: fields.text('tcpflags1'),
    tcpflags2: fields.text('tcpflags2'),
    tcpflags_any: fields.text('tcpflags_any'),
    allowopts: fields.text('allowopts'),
    statetype: fields.text('statetype'),
    log: fields.text('log'),
    description: fields.text('description'),
    extra: fields.extra(),
  };
}
