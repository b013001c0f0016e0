import { IptablesSyntaxError } from './ast';

/** One word of a command line, split the way iptables-restore splits it. */
export interface Token {
  /** The word with quotes removed and escapes resolved. */
  value: string;
  /** True when any part of the word was inside double quotes: such a word is always a value, never an option. */
  quoted: boolean;
  /** The word exactly as written, quotes and backslashes included. */
  raw: string;
  /** 1-based column of the word's first character in the source line. */
  column: number;
}

const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Splits one line the way iptables-restore's add_param_to_argv does: words are
 * separated by spaces or tabs; a double quote opens a group that may contain
 * blanks; inside the group a backslash makes the next character literal
 * (`\"` is a quote, `\\` a backslash); the closing quote ends the word, so
 * `"x"y` is two words. Outside quotes a backslash is an ordinary character.
 * iptables-restore silently keeps an unterminated group; we report it.
 *
 * Words are slices of the line (a word without quotes is its own raw text), so a
 * large file costs few allocations.
 *
 * @param text the part of the line to split
 * @param lineNumber 1-based line, for errors
 * @param firstColumn 1-based column of `text[0]` in the source line
 */
export function tokenize(text: string, lineNumber: number, firstColumn: number): Token[] {
  const tokens: Token[] = [];
  const end = text.length;
  let i = 0;
  while (i < end) {
    let char = text.charCodeAt(i);
    if (char === SPACE || char === TAB) {
      i++;
      continue;
    }
    const start = i;
    while (i < end && (char = text.charCodeAt(i)) !== SPACE && char !== TAB && char !== QUOTE) i++;
    if (i >= end || char !== QUOTE) {
      const word = text.slice(start, i);
      tokens.push({ value: word, quoted: false, raw: word, column: firstColumn + start });
      continue;
    }
    // A quoted group, perhaps after unquoted characters of the same word; it ends the word.
    const quoteStart = i++;
    let value = text.slice(start, quoteStart);
    let chunk = i;
    for (;;) {
      if (i >= end) {
        throw new IptablesSyntaxError(
          lineNumber,
          'unterminated quote: expected a closing " before the end of the line',
          firstColumn + quoteStart,
        );
      }
      char = text.charCodeAt(i);
      if (char === QUOTE) break;
      if (char === BACKSLASH && i + 1 < end) {
        value += text.slice(chunk, i) + text[i + 1];
        i += 2;
        chunk = i;
      } else {
        i++;
      }
    }
    value += text.slice(chunk, i);
    i++;
    tokens.push({ value, quoted: true, raw: text.slice(start, i), column: firstColumn + start });
  }
  return tokens;
}
