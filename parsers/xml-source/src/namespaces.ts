/** The namespace the `xml` prefix is bound to in every document (Namespaces in XML 1.0, §3). */
export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
/** The namespace of `xmlns` declarations themselves. */
export const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';

export const ROOT_SCOPE: ReadonlyMap<string, string> = new Map([['xml', XML_NAMESPACE]]);

/** A qualified name split at its colon; `undefined` when it has more than one colon or an empty part. */
export function splitQualifiedName(name: string): { prefix: string | undefined; localName: string } | undefined {
  const colon = name.indexOf(':');
  if (colon === -1) return { prefix: undefined, localName: name };
  if (colon === 0 || colon === name.length - 1 || name.indexOf(':', colon + 1) !== -1) return undefined;
  return { prefix: name.slice(0, colon), localName: name.slice(colon + 1) };
}

/**
 * The scope inside an element: its parent's, plus its own xmlns / xmlns:prefix attributes. Returns
 * the parent's map itself when the element declares nothing (most elements), or an error message.
 */
export function scopeWith(
  parentScope: ReadonlyMap<string, string>,
  attributes: ReadonlyMap<string, string>,
): ReadonlyMap<string, string> | string {
  let scope: Map<string, string> | undefined;
  for (const [name, value] of attributes) {
    if (name !== 'xmlns' && !name.startsWith('xmlns:')) continue;
    const prefix = name === 'xmlns' ? '' : name.slice('xmlns:'.length);
    if (prefix === 'xmlns') return `the prefix xmlns cannot be declared; expected another prefix`;
    if (prefix === 'xml' ? value !== XML_NAMESPACE : value === XML_NAMESPACE || value === XMLNS_NAMESPACE) {
      return `${name}="${value}" binds a reserved prefix or namespace; expected xml only for ${XML_NAMESPACE}`;
    }
    if (prefix !== '' && value === '') return `${name}="" cannot undeclare a prefix in XML 1.0; expected a namespace URI`;
    scope ??= new Map(parentScope);
    if (value === '') scope.delete('');
    else scope.set(prefix, value);
  }
  return scope ?? parentScope;
}
