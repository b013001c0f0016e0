/**
 * Text from the bytes of a Windows export. reg export and Group Policy reports write UTF-16LE
 * with a byte-order mark; files that passed through other tools may be UTF-8 (with or without a
 * mark) or UTF-16 without one.
 */
export function decodeExportBytes(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer[0] === 0xff && buffer[1] === 0xfe) return buffer.subarray(2).toString('utf16le');
  if (buffer[0] === 0xfe && buffer[1] === 0xff) return swapBytes(buffer.subarray(2)).toString('utf16le');
  if (buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) return buffer.subarray(3).toString('utf8');
  // Without a mark, UTF-16 shows as a NUL beside each ASCII character of the first line.
  if (buffer.length >= 4 && buffer[0] !== 0 && buffer[1] === 0 && buffer[2] !== 0 && buffer[3] === 0) return buffer.toString('utf16le');
  if (buffer.length >= 4 && buffer[0] === 0 && buffer[1] !== 0 && buffer[2] === 0 && buffer[3] !== 0)
    return swapBytes(buffer).toString('utf16le');
  return buffer.toString('utf8');
}

function swapBytes(buffer: Buffer): Buffer {
  const swapped = Buffer.from(buffer.subarray(0, buffer.length - (buffer.length % 2)));
  return swapped.swap16();
}
