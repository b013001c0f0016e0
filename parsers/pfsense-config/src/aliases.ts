import type { XmlElement } from '../../xml-source/src';
import { FieldReader, type ReadContext } from './fields';
import type { Alias } from './model';

/** pfSense `<aliases><alias>`: entries separated by spaces in `<address>`. */
export function readLegacyAliases(element: XmlElement, context: ReadContext): Alias[] {
  return new FieldReader(element, context).children('alias').map((alias) => {
    const fields = new FieldReader(alias, context);
    const content = fields.text('address');
    return {
      origin: 'legacy',
      uuid: alias.attributes.get('uuid'),
      line: alias.line,
      path: alias.path,
      name: fields.text('name'),
      type: fields.text('type'),
      enabled: undefined,
      content,
      entries: content === undefined ? [] : splitEntries(content.value, /\s+/),
      detail: fields.text('detail'),
      descr: fields.text('descr'),
      url: fields.text('url'),
      aliasurl: fields.texts('aliasurl'),
      updatefreq: fields.text('updatefreq'),
      proto: undefined,
      extra: fields.extra(),
    };
  });
}

/** OPNsense `<OPNsense><Firewall><Alias><aliases><alias>`: one entry per line of `<content>`. */
export function readMvcAliases(element: XmlElement, context: ReadContext): Alias[] {
  return new FieldReader(element, context).children('alias').map((alias) => {
    const fields = new FieldReader(alias, context);
    const content = fields.text('content');
    return {
      origin: 'mvc',
      uuid: alias.attributes.get('uuid'),
      line: alias.line,
      path: alias.path,
      name: fields.text('name'),
      type: fields.text('type'),
      enabled: fields.text('enabled'),
      content,
      entries: content === undefined ? [] : splitEntries(content.value, /\n/),
      detail: undefined,
      descr: fields.text('description'),
      url: fields.text('url'),
      aliasurl: [],
      updatefreq: fields.text('updatefreq'),
      proto: fields.text('proto'),
      extra: fields.extra(),
    };
  });
}

function splitEntries(content: string, separator: RegExp): string[] {
  return content
    .split(separator)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}
