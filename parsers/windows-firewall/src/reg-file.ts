/**
 * `reg export` / regedit files (text already decoded): a `Windows Registry Editor Version 5.00`
 * (or `REGEDIT4`) header, `[KEY]` and `[-KEY]` lines, and `"name"=data` / `@=data` / `"name"=-`
 * lines, applied in file order the way regedit imports them.
 */
import { type Location, type ParseWarning, WindowsFirewallSyntaxError } from './ast';

export const REGEDIT5_HEADER = 'Windows Registry Editor Version 5.00';
export const REGEDIT4_HEADER = 'REGEDIT4';

const HIVES = ['HKEY_LOCAL_MACHINE', 'HKEY_CURRENT_USER', 'HKEY_CLASSES_ROOT', 'HKEY_USERS', 'HKEY_CURRENT_CONFIG'];

/** A value's data as written: a string, a DWORD, or hex bytes (`hex:` is kind 3, REG_BINARY). */
export type RegistryData =
  /** `raw` is the text between the quotes as written; `column` the file column of its first character. */
  | { type: 'string'; value: string; raw: string; column: number }
  | { type: 'dword'; value: number }
  | { type: 'hex'; kind: number; bytes: number[]; text: string };

export interface RegistryValue {
  /** The value name; '' for the default value `@`. */
  name: string;
  /** The line of `"name"=` (its first line, for hex data continued with `\`). */
  location: Location;
  data: RegistryData;
}

export interface RegistryKey {
  /** The path as first written (`HKEY_LOCAL_MACHINE\SOFTWARE\…`). */
  path: string;
  /** The key's first `[…]` line. */
  location: Location;
  /** The values it is left with, in the order first set. */
  values: RegistryValue[];
}

export interface RegistryExport {
  header: typeof REGEDIT5_HEADER | typeof REGEDIT4_HEADER;
  /** The keys the file leaves behind, in the order first written. */
  keys: RegistryKey[];
}

interface KeyState {
  key: RegistryKey;
  values: Map<string, RegistryValue>;
}

/**
 * Parses a registry export.
 *
 * @throws WindowsFirewallSyntaxError at the first line regedit would not import.
 */
export function parseRegistryExport(text: string, warnings: ParseWarning[]): RegistryExport {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  const keys = new Map<string, KeyState>();
  let header: RegistryExport['header'] | undefined;
  let current: KeyState | undefined;
  let afterDeletion = false;

  for (let index = 0; index < lines.length; index++) {
    const line = index + 1;
    const source = lines[index].replace(/\r$/, '');
    const trimmed = source.trim();
    if (trimmed === '' || trimmed.startsWith(';')) continue;
    const column = source.length - source.trimStart().length + 1;
    if (!header) {
      if (trimmed !== REGEDIT5_HEADER && trimmed !== REGEDIT4_HEADER) {
        fail({ line, column }, `expected the header "${REGEDIT5_HEADER}" (or "${REGEDIT4_HEADER}") of a registry export`);
      }
      header = trimmed;
      continue;
    }
    if (trimmed.startsWith('[')) {
      const path = readKeyPath(trimmed, { line, column });
      if (path.startsWith('-')) {
        deleteKey(keys, path.slice(1));
        current = undefined;
        afterDeletion = true;
      } else {
        current = openKey(keys, path, { line, column });
        afterDeletion = false;
      }
      continue;
    }
    if (!current) {
      fail(
        { line, column },
        afterDeletion ? 'expected a [key] line: a [-key] line deletes a key and takes no values' : 'expected a [key] line before values',
      );
    }
    const continued = joinContinuations(lines, index, source);
    index = continued.lastIndex;
    applyValueLine(current, continued.text, { line, column }, warnings);
  }
  if (!header)
    fail({ line: 1 }, `expected the header "${REGEDIT5_HEADER}" (or "${REGEDIT4_HEADER}") of a registry export; the file is empty`);
  return { header, keys: [...keys.values()].map((state) => ({ ...state.key, values: [...state.values.values()] })) };
}

function fail(location: Location, expected: string): never {
  throw new WindowsFirewallSyntaxError(location, expected);
}

function readKeyPath(trimmed: string, location: Location): string {
  const closing = trimmed.lastIndexOf(']');
  if (closing < 0) fail(location, 'expected ] closing the key path');
  if (trimmed.slice(closing + 1).trim() !== '')
    fail({ line: location.line, column: (location.column ?? 1) + closing + 1 }, 'expected nothing after the ] of a key line');
  const path = trimmed.slice(1, closing);
  const hive = path.replace(/^-/, '').split('\\')[0].toUpperCase();
  if (!HIVES.includes(hive))
    fail({ line: location.line, column: (location.column ?? 1) + 1 }, `expected a key path starting with ${HIVES.join(', ')}`);
  if (/\\\\|\\$/.test(path)) fail(location, 'expected a key path without empty parts (no \\\\ and no trailing \\)');
  return path;
}

function deleteKey(keys: Map<string, KeyState>, path: string): void {
  const lower = path.toLowerCase();
  for (const name of [...keys.keys()]) {
    if (name === lower || name.startsWith(`${lower}\\`)) keys.delete(name);
  }
}

function openKey(keys: Map<string, KeyState>, path: string, location: Location): KeyState {
  const lower = path.toLowerCase();
  const existing = keys.get(lower);
  if (existing) return existing;
  const state: KeyState = { key: { path, location, values: [] }, values: new Map() };
  keys.set(lower, state);
  return state;
}

/** A hex value continues on the next line after a trailing backslash. */
function joinContinuations(lines: string[], index: number, source: string): { text: string; lastIndex: number } {
  const first = source.trimEnd();
  if (!first.endsWith('\\') || !/^\s*(@|"(?:[^"\\]|\\.)*")=hex(\([0-9a-fA-F]+\))?:/.test(first)) return { text: first, lastIndex: index };
  const parts = [first.slice(0, -1)];
  let lastIndex = index;
  while (lastIndex + 1 < lines.length) {
    const next = lines[++lastIndex].replace(/\r$/, '').trim();
    const continues = next.endsWith('\\');
    parts.push(continues ? next.slice(0, -1) : next);
    if (!continues) break;
  }
  return { text: parts.join(''), lastIndex };
}

function applyValueLine(state: KeyState, text: string, location: Location, warnings: ParseWarning[]): void {
  const start = (location.column ?? 1) - 1;
  const at = (offset: number): Location => ({ line: location.line, column: offset + 1 });
  let offset = start;
  let name: string;
  if (text[offset] === '@') {
    name = '';
    offset++;
  } else if (text[offset] === '"') {
    const quoted = readQuoted(text, offset, location.line);
    name = quoted.value;
    offset = quoted.end;
  } else {
    return fail(at(offset), 'expected a value line "name"=data or @=data, a [key] line, or a ; comment');
  }
  if (text[offset] !== '=') fail(at(offset), 'expected = after the value name');
  offset++;
  const lower = name.toLowerCase();
  const dataText = text.slice(offset).trimEnd();
  if (dataText === '-') {
    state.values.delete(lower);
    return;
  }
  const data = readData(text, offset, location.line);
  const value: RegistryValue = { name, location: { line: location.line, column: start + 1 }, data };
  const previous = state.values.get(lower);
  if (previous && !sameData(previous.data, data)) {
    warnings.push({
      location: value.location,
      message: `"${name}" in ${state.key.path} is set again; this replaces the value of line ${previous.location.line}`,
    });
  }
  // A value set again keeps its place, as regedit overwrites it in place.
  state.values.set(lower, value);
}

function sameData(a: RegistryData, b: RegistryData): boolean {
  if (a.type === 'string' && b.type === 'string') return a.value === b.value;
  if (a.type === 'dword' && b.type === 'dword') return a.value === b.value;
  if (a.type === 'hex' && b.type === 'hex') return a.kind === b.kind && a.text === b.text;
  return false;
}

/** A quoted string from `offset` (the opening quote): `\\\\` is a backslash and `\\"` a quote. */
function readQuoted(text: string, offset: number, line: number): { value: string; raw: string; end: number } {
  const parts: string[] = [];
  let from = offset + 1;
  for (let i = from; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (char === QUOTE) {
      parts.push(text.slice(from, i));
      return { value: parts.join(''), raw: text.slice(offset + 1, i), end: i + 1 };
    }
    if (char === BACKSLASH) {
      const next = text[i + 1];
      if (next !== '\\' && next !== '"')
        fail({ line, column: i + 1 }, 'expected \\\\ or \\" after a backslash in a quoted string (reg export doubles every backslash)');
      parts.push(text.slice(from, i), next);
      i++;
      from = i + 1;
    }
  }
  return fail({ line, column: offset + 1 }, 'expected " closing the quoted string on the same line');
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function readData(text: string, offset: number, line: number): RegistryData {
  const at = (o: number): Location => ({ line, column: o + 1 });
  if (text[offset] === '"') {
    const quoted = readQuoted(text, offset, line);
    if (text.slice(quoted.end).trim() !== '') fail(at(quoted.end), 'expected the end of the line after the closing "');
    return { type: 'string', value: quoted.value, raw: quoted.raw, column: offset + 2 };
  }
  const rest = text.slice(offset).trim();
  const dword = /^dword:([0-9a-fA-F]{1,8})$/i.exec(rest);
  if (dword) return { type: 'dword', value: parseInt(dword[1], 16) };
  const hex = /^hex(?:\(([0-9a-fA-F]{1,8})\))?:(.*)$/i.exec(rest);
  if (hex) {
    const body = hex[2].replace(/\s+/g, '');
    if (body !== '' && !/^[0-9a-fA-F]{2}(,[0-9a-fA-F]{2})*$/.test(body)) fail(at(offset), 'expected hex bytes written xx,xx,… after hex:');
    const bytes = body === '' ? [] : body.split(',').map((byte) => parseInt(byte, 16));
    return { type: 'hex', kind: hex[1] !== undefined ? parseInt(hex[1], 16) : 3, bytes, text: rest };
  }
  return fail(at(offset), 'expected "string", dword:xxxxxxxx, hex:xx,… or - (delete) after =');
}

/** The file column of character `offset` of a string value's unescaped text. */
export function stringColumn(data: Extract<RegistryData, { type: 'string' }>, offset: number): number {
  let column = data.column;
  let i = 0;
  for (let unescaped = 0; unescaped < offset && i < data.raw.length; unescaped++) {
    const width = data.raw[i] === '\\' ? 2 : 1;
    i += width;
    column += width;
  }
  return column;
}
