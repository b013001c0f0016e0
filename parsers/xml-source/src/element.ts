/** One element of a document, with where it was written. */
export interface XmlElement {
  /** The qualified name as written (`rule`, `q1:Rule`). */
  readonly name: string;
  /** The name without its prefix (`Rule`). */
  readonly localName: string;
  /** The prefix as written (`q1`), or undefined for an unprefixed name. */
  readonly prefix: string | undefined;
  /** The namespace URI the prefix (or the default namespace) is bound to in scope; undefined for none. */
  readonly namespace: string | undefined;
  /** Attributes by qualified name as written, values with references decoded and whitespace normalized as XML does. */
  readonly attributes: ReadonlyMap<string, string>;
  /** Child elements in document order. */
  readonly children: readonly XmlElement[];
  /** The element's own text (character data and CDATA sections, in order, references decoded), not trimmed. */
  readonly text: string;
  /** The 1-based line and column of the start tag's `<`. */
  readonly line: number;
  readonly column: number;
  readonly parent: XmlElement | undefined;
  /** The namespace bindings in scope (prefix → URI; `''` is the default namespace). */
  readonly namespaces: ReadonlyMap<string, string>;
  /**
   * An XPath-like locator: `/pfsense/filter/rule[3]`. Each step is the qualified name; `[n]` (1-based,
   * among siblings of the same name) is added when the parent has more than one child of that name.
   */
  readonly path: string;
  /** Child elements with this qualified name, in document order. */
  childrenNamed(name: string): XmlElement[];
  /** The first child element with this qualified name. */
  firstChild(name: string): XmlElement | undefined;
  /** Child elements in this namespace (undefined: no namespace) with this local name, whatever their prefix. */
  childrenNS(namespace: string | undefined, localName: string): XmlElement[];
  firstChildNS(namespace: string | undefined, localName: string): XmlElement | undefined;
  /** The namespace URI a prefix is bound to here (`''` for the default namespace). */
  lookupNamespace(prefix: string): string | undefined;
}

const NO_CHILDREN: readonly XmlElement[] = Object.freeze([]);

/** The element the tree builder fills in; readers see it as XmlElement. */
export class ElementNode implements XmlElement {
  children: XmlElement[] = NO_CHILDREN as XmlElement[];
  text = '';
  /** 1-based position among same-named siblings; 0 when it is the only one of its name. */
  siblingPosition = 0;
  private cachedPath: string | undefined;

  constructor(
    readonly name: string,
    readonly localName: string,
    readonly prefix: string | undefined,
    readonly namespace: string | undefined,
    readonly attributes: ReadonlyMap<string, string>,
    readonly line: number,
    readonly column: number,
    readonly parent: ElementNode | undefined,
    readonly namespaces: ReadonlyMap<string, string>,
  ) {}

  appendChild(child: ElementNode): void {
    if (this.children === NO_CHILDREN) this.children = [];
    this.children.push(child);
  }

  get path(): string {
    if (this.cachedPath === undefined) {
      const step = this.siblingPosition === 0 ? this.name : `${this.name}[${this.siblingPosition}]`;
      this.cachedPath = `${this.parent === undefined ? '' : this.parent.path}/${step}`;
    }
    return this.cachedPath;
  }

  childrenNamed(name: string): XmlElement[] {
    return this.children.filter((child) => child.name === name);
  }

  firstChild(name: string): XmlElement | undefined {
    return this.children.find((child) => child.name === name);
  }

  childrenNS(namespace: string | undefined, localName: string): XmlElement[] {
    return this.children.filter((child) => child.localName === localName && child.namespace === namespace);
  }

  firstChildNS(namespace: string | undefined, localName: string): XmlElement | undefined {
    return this.children.find((child) => child.localName === localName && child.namespace === namespace);
  }

  lookupNamespace(prefix: string): string | undefined {
    return this.namespaces.get(prefix);
  }
}
