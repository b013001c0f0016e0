import type { XmlElement } from '../../xml-source/src';
import { FieldReader, type ReadContext } from './fields';
import type { Gateway, Schedule, StaticRoute } from './model';

export function readGateways(element: XmlElement, context: ReadContext): Gateway[] {
  return new FieldReader(element, context).children('gateway_item').map((item) => {
    const fields = new FieldReader(item, context);
    return {
      line: item.line,
      path: item.path,
      name: fields.text('name'),
      interface: fields.text('interface'),
      gateway: fields.text('gateway'),
      ipprotocol: fields.text('ipprotocol'),
      descr: fields.text('descr'),
      extra: fields.extra(),
    };
  });
}

export function readStaticRoutes(element: XmlElement, context: ReadContext): StaticRoute[] {
  return new FieldReader(element, context).children('route').map((route) => {
    const fields = new FieldReader(route, context);
    return {
      line: route.line,
      path: route.path,
      network: fields.text('network'),
      gateway: fields.text('gateway'),
      disabled: fields.text('disabled'),
      descr: fields.text('descr'),
      extra: fields.extra(),
    };
  });
}

export function readSchedules(element: XmlElement, context: ReadContext): Schedule[] {
  return new FieldReader(element, context).children('schedule').map((schedule) => {
    const fields = new FieldReader(schedule, context);
    return { line: schedule.line, path: schedule.path, name: fields.text('name'), descr: fields.text('descr'), extra: fields.extra() };
  });
}
