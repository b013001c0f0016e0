/** Reading a configuration file as text, whatever its encoding, within a size any real one keeps. */
import * as fs from 'node:fs';
import { InputError } from '../model/errors';

/** Larger files are refused rather than read: no real firewall configuration comes near it. */
export const MAX_CONFIG_BYTES = 64 * 1024 * 1024;

/** The file's text (see decodeText: Windows exports are UTF-16LE with a byte-order mark). */
export function readConfigText(file: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new InputError([{ location: { file }, message: 'cannot read the file: it does not exist or is not accessible' }]);
  }
  if (!stat.isFile()) throw new InputError([{ location: { file }, message: 'expected a file' }]);
  if (stat.size > MAX_CONFIG_BYTES) {
    throw new InputError([
      { location: { file }, message: `the file is ${stat.size} bytes; configurations over ${MAX_CONFIG_BYTES} bytes are refused` },
    ]);
  }
  return decodeText(fs.readFileSync(file));
}

/**
 * Text from a file's bytes: UTF-16 (LE or BE) or UTF-8 by their byte-order marks; without one,
 * UTF-16 shows as a NUL beside each ASCII character of the start (files that lost their mark on
 * the way); anything else is UTF-8.
 */
export function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return swapped(bytes.subarray(2)).toString('utf16le');
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  if (bytes.length >= 4 && bytes[0] !== 0 && bytes[1] === 0 && bytes[2] !== 0 && bytes[3] === 0) return bytes.toString('utf16le');
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] !== 0 && bytes[2] === 0 && bytes[3] !== 0) return swapped(bytes).toString('utf16le');
  return bytes.toString('utf8');
}

function swapped(bytes: Buffer): Buffer {
  return Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2))).swap16();
}
