import type { XmlElement } from '../../xml-source/src';
import { FieldReader, type ReadContext } from './fields';
import type { OneToOneNat, OutboundNat, PortForward } from './model';
import { nonEmpty } from './rules';

/** `<nat>`'s port forwards (`<rule>`), outbound NAT (`<outbound>`) and 1:1 NAT (`<onetoone>`). */
export function readNat(
  nat: XmlElement,
  context: ReadContext,
): { portForwards: PortForward[]; outboundNat: OutboundNat | undefined; oneToOneNat: OneToOneNat[] } {
  const fields = new FieldReader(nat, context);
  const outbound = fields.child('outbound');
  return {
    portForwards: nonEmpty(fields.children('rule'), context.warnings).map((rule, position) => readPortForward(rule, position, context)),
    outboundNat: outbound === undefined ? undefined : readOutbound(outbound, context),
    oneToOneNat: nonEmpty(fields.children('onetoone'), context.warnings).map((rule) => readOneToOne(rule, context)),
  };
}

function readPortForward(element: XmlElement, position: number, context: ReadContext): PortForward {
  const fields = new FieldReader(element, context);
  return {
    position,
    uuid: element.attributes.get('uuid'),
    line: element.line,
    path: element.path,
    disabled: fields.text('disabled'),
    nordr: fields.text('nordr'),
    interface: fields.text('interface'),
    ipprotocol: fields.text('ipprotocol'),
    protocol: fields.text('protocol'),
    source: fields.endpoint('source'),
    destination: fields.endpoint('destination'),
    target: fields.text('target'),
    localPort: fields.text('local-port'),
    descr: fields.text('descr'),
    associatedRuleId: fields.text('associated-rule-id'),
    pass: fields.text('pass'),
    natreflection: fields.text('natreflection'),
    sequence: fields.text('sequence'),
    extra: fields.extra(),
  };
}

function readOutbound(element: XmlElement, context: ReadContext): OutboundNat {
  const fields = new FieldReader(element, context);
  const rules = nonEmpty(fields.children('rule'), context.warnings).map((rule, position) => {
    const ruleFields = new FieldReader(rule, context);
    return {
      position,
      line: rule.line,
      path: rule.path,
      disabled: ruleFields.text('disabled'),
      nonat: ruleFields.text('nonat'),
      interface: ruleFields.text('interface'),
      ipprotocol: ruleFields.text('ipprotocol'),
      protocol: ruleFields.text('protocol'),
      source: ruleFields.endpoint('source'),
      sourceport: ruleFields.text('sourceport'),
      destination: ruleFields.endpoint('destination'),
      dstport: ruleFields.text('dstport'),
      target: ruleFields.text('target'),
      targetip: ruleFields.text('targetip'),
      descr: ruleFields.text('descr'),
      extra: ruleFields.extra(),
    };
  });
  return { line: element.line, path: element.path, mode: fields.text('mode'), rules, extra: fields.extra() };
}

function readOneToOne(element: XmlElement, context: ReadContext): OneToOneNat {
  const fields = new FieldReader(element, context);
  return {
    line: element.line,
    path: element.path,
    disabled: fields.text('disabled'),
    interface: fields.text('interface'),
    external: fields.text('external'),
    source: fields.endpoint('source'),
    destination: fields.endpoint('destination'),
    descr: fields.text('descr'),
    extra: fields.extra(),
  };
}
