/**
 * The syntax tree as `fwmatrix parse` prints it: the config.xml in the vendor's own words, with
 * the elements the reader keeps unread (`extra`) written out as plain data (name, line, path,
 * text, children) instead of the reader's linked elements.
 */
import type { ConfigDocument } from '../../../parsers/pfsense-config/src';
import type { XmlElement } from '../../../parsers/xml-source/src';

interface PlainElement {
  element: string;
  line: number;
  path: string;
  text?: string;
  attributes?: Record<string, string>;
  children?: PlainElement[];
}

function isElement(value: object): value is XmlElement {
  return 'localName' in value && 'namespaces' in value;
}

function plainElement(element: XmlElement): PlainElement {
  const text = element.text.trim();
  return {
    element: element.name,
    line: element.line,
    path: element.path,
    ...(text !== '' ? { text } : {}),
    ...(element.attributes.size > 0 ? { attributes: Object.fromEntries(element.attributes) } : {}),
    ...(element.children.length > 0 ? { children: element.children.map(plainElement) } : {}),
  };
}

function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value === null || typeof value !== 'object') return value;
  if (isElement(value)) return plainElement(value);
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, plain(v)]),
  );
}

export function plainTree(config: ConfigDocument): unknown {
  return plain(config);
}
