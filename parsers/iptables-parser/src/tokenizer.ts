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

function isBlank(char: string): boolean {
  return char === ' ' || char === '\t';
}

/**
 * Splits one line the way iptables-restore's add_param_to_argv does: words are
 * separated by spaces or tabs; a double quote opens a group that may contain
 * blanks; inside the group a backslash makes the next character literal
 * (`\"` is a quote, `\\` a backslash); the closing quote ends the word, so
 * `"x"y` is two words. Outside quotes a backslash is an ordinary character.
 * iptables-restore silently keeps an unterminated group; we report it.
 *
 * @param text the part of the line to split
 * @param lineNumber 1-based line, for errors
 * @param firstColumn 1-based column of `text[0]` in the source line
 */
export function tokenize(text: string, lineNumber: number, firstColumn: number): Token[] {
  const tokens: Token[] = [];
  let value = '';
  let start = -1;
  let quoted = false;
  let quoteStart = -1;
  let escaped = false;

  const finish = (end: number): void => {
    tokens.push({ value, quoted, raw: text.slice(start, end), column: firstColumn + start });
    value = '';
    start = -1;
    quoted = false;
  };

  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoteStart >= 0) {
      if (escaped) {
        value += char;
        escaped = false;
      } else if (char === '\\') {
        escaped = true;
      } else if (char === '"') {
        quoteStart = -1;
        finish(i + 1);
      } else {
        value += char;
      }
      continue;
    }
    if (char === '"') {
      if (start < 0) start = i;
      quoteStart = i;
      quoted = true;
    } else if (isBlank(char)) {
      if (start >= 0) finish(i);
    } else {
      if (start < 0) start = i;
      value += char;
    }
  }
  if (quoteStart >= 0) {
    throw new IptablesSyntaxError(
      lineNumber,
      'unterminated quote: expected a closing " before the end of the line',
      firstColumn + quoteStart,
    );
  }
  if (start >= 0) finish(text.length);
  return tokens;
}
