/** A 1-based line and column (in UTF-16 code units, as JavaScript counts string positions). */
export interface Position {
  line: number;
  column: number;
}

/**
 * Turns string offsets into lines and columns. Offsets are asked for in increasing order while a
 * document is read, so the cursor only moves forward and the whole document is counted once.
 * Line ends are LF, CRLF and a lone CR, as XML's line-end handling has them.
 */
export class LineCursor {
  private line = 1;
  private lineStart = 0;
  private counted = 0;

  constructor(private readonly text: string) {}

  at(offset: number): Position {
    if (offset < this.counted) this.restart();
    const text = this.text;
    for (let index = this.counted; index < offset; index++) {
      const code = text.charCodeAt(index);
      if (code === 10 || (code === 13 && text.charCodeAt(index + 1) !== 10)) {
        this.line++;
        this.lineStart = index + 1;
      }
    }
    this.counted = offset;
    return { line: this.line, column: offset - this.lineStart + 1 };
  }

  private restart(): void {
    this.line = 1;
    this.lineStart = 0;
    this.counted = 0;
  }
}
