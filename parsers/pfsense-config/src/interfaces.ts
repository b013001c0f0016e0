import type { XmlElement } from '../../xml-source/src';
import { FieldReader, type ReadContext, keyOf } from './fields';
import type { Interface, InterfaceGroup, VirtualIp } from './model';

/** Each child of `<interfaces>` is one interface, named by its element (`wan`, `lan`, `opt1`). */
export function readInterfaces(element: XmlElement, context: ReadContext): Interface[] {
  return element.children.map((child) => readInterface(child, context));
}

function readInterface(element: XmlElement, context: ReadContext): Interface {
  const fields = new FieldReader(element, context);
  return {
    name: keyOf(element, context.vendor),
    line: element.line,
    path: element.path,
    if: fields.text('if'),
    enable: fields.text('enable'),
    descr: fields.text('descr'),
    ipaddr: fields.text('ipaddr'),
    subnet: fields.text('subnet'),
    ipaddrv6: fields.text('ipaddrv6'),
    subnetv6: fields.text('subnetv6'),
    gateway: fields.text('gateway'),
    gatewayv6: fields.text('gatewayv6'),
    blockpriv: fields.text('blockpriv'),
    blockbogons: fields.text('blockbogons'),
    track6Interface: fields.text('track6-interface'),
    type: fields.text('type'),
    virtual: fields.text('virtual'),
    extra: fields.extra(),
  };
}

export function readInterfaceGroups(element: XmlElement, context: ReadContext): InterfaceGroup[] {
  return new FieldReader(element, context).children('ifgroupentry').map((entry) => {
    const fields = new FieldReader(entry, context);
    const members = fields.text('members');
    return {
      line: entry.line,
      path: entry.path,
      ifname: fields.text('ifname'),
      members,
      memberNames: members === undefined ? [] : members.value.split(/[\s,]+/).filter((name) => name !== ''),
      descr: fields.text('descr'),
      sequence: fields.text('sequence'),
      extra: fields.extra(),
    };
  });
}

export function readVirtualIps(element: XmlElement, context: ReadContext): VirtualIp[] {
  return new FieldReader(element, context).children('vip').map((vip) => {
    const fields = new FieldReader(vip, context);
    return {
      line: vip.line,
      path: vip.path,
      mode: fields.text('mode'),
      interface: fields.text('interface'),
      subnet: fields.text('subnet'),
      subnet_bits: fields.text('subnet_bits'),
      type: fields.text('type'),
      descr: fields.text('descr'),
      extra: fields.extra(),
    };
  });
}
