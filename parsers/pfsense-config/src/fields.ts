import type { XmlElement } from '../../xml-source/src';
import { ConfigSyntaxError } from './errors';
import type { ConfigWarning, Endpoint, Text, Vendor } from './model';

/** What every reader needs: whose words to read, and where to report what it notices. */
export interface ReadContext {
  readonly vendor: Vendor;
  readonly warnings: ConfigWarning[];
}

/** pfSense's XML reader lower-cases element names; OPNsense's matches them as written. */
export function keyOf(element: XmlElement, vendor: Vendor): string {
  return vendor === 'pfsense' ? element.name.toLowerCase() : element.name;
}

/** The element's trimmed text; an element holding elements where text belongs is an error. */
export function textOf(element: XmlElement): Text {
  const first = element.children[0];
  if (first !== undefined) {
    throw new ConfigSyntaxError(
      first.line,
      `<${first.name}> inside <${element.name}>; expected <${element.name}> to hold text only`,
      first.path,
    );
  }
  return { value: element.text.trim(), line: element.line, path: element.path };
}

/**
 * Reads the known children of one element, by name. Each child is read at most once; what is
 * left over is the element's `extra`. An element that may occur once and occurs twice is an
 * error: pfSense refuses such a config.xml ("cannot occur more than once"), and which copy
 * OPNsense would use is not defined.
 */
export class FieldReader {
  private readonly byName = new Map<string, XmlElement[]>();
  private readonly read = new Set<XmlElement>();

  constructor(
    readonly element: XmlElement,
    readonly context: ReadContext,
  ) {
    for (const child of element.children) {
      const key = keyOf(child, context.vendor);
      const same = this.byName.get(key);
      if (same === undefined) this.byName.set(key, [child]);
      else same.push(child);
    }
  }

  get line(): number {
    return this.element.line;
  }

  get path(): string {
    return this.element.path;
  }

  /** The one child element of this name. */
  child(name: string): XmlElement | undefined {
    const found = this.byName.get(name);
    if (found === undefined) return undefined;
    for (const copy of found.slice(1)) this.checkRepeated(found[0], copy);
    for (const each of found) this.read.add(each);
    return found[0];
  }

  /**
   * A repeated copy with the same text as the first is reported and read as one (pfSense itself
   * would refuse the file: "cannot occur more than once"); copies that differ are an error.
   */
  private checkRepeated(first: XmlElement, copy: XmlElement): void {
    const same = first.children.length === 0 && copy.children.length === 0 && first.text.trim() === copy.text.trim();
    const where = `<${copy.name}> is repeated in <${this.element.name}> (first at line ${first.line})`;
    if (!same) throw new ConfigSyntaxError(copy.line, `${where} with different content; expected it once`, copy.path);
    this.context.warnings.push({
      line: copy.line,
      path: copy.path,
      message: `${where} with the same value, read once; pfSense refuses to load a config.xml with a repeated <${copy.name}>`,
    });
  }

  /** Child elements of a name that may repeat (`<rule>`, `<alias>`, `<aliasurl>`), in document order. */
  children(name: string): XmlElement[] {
    const found = this.byName.get(name) ?? [];
    for (const child of found) this.read.add(child);
    return found;
  }

  text(name: string): Text | undefined {
    const child = this.child(name);
    return child === undefined ? undefined : textOf(child);
  }

  texts(name: string): Text[] {
    return this.children(name).map(textOf);
  }

  endpoint(name: string): Endpoint | undefined {
    const child = this.child(name);
    return child === undefined ? undefined : readEndpoint(child, this.context);
  }

  /** The children no accessor has read, in document order. */
  extra(): XmlElement[] {
    return this.element.children.filter((child) => !this.read.has(child));
  }
}

export function readEndpoint(element: XmlElement, context: ReadContext): Endpoint {
  const fields = new FieldReader(element, context);
  return {
    line: element.line,
    path: element.path,
    any: fields.text('any'),
    address: fields.text('address'),
    network: fields.text('network'),
    port: fields.text('port'),
    not: fields.text('not'),
    extra: fields.extra(),
  };
}
