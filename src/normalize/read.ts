/** Reading a configuration file as text, whatever its encoding, within a size any real one keeps. */
import { constants } from 'node:buffer';
import * as fs from 'node:fs';
import { InputError } from '../model/errors';

/**
 * Larger files are refused rather than read: ten times a dump of a million rules (about 100 MB),
 * and small enough that a mistake (a disk image, a log) stops at once instead of filling memory.
 */
export const MAX_CONFIG_BYTES = 1024 * 1024 * 1024;

const MAX_STRING_LENGTH = constants.MAX_STRING_LENGTH;

/** The file's text (see decodeText: Windows exports are UTF-16LE with a byte-order mark). */
export function readConfigText(file: string): string {
  const size = readableSize(file);
  try {
    return decodeText(fs.readFileSync(file));
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_STRING_TOO_LONG') throw e;
    throw new InputError([
      {
        location: { file },
        message: `the file is ${size} bytes, more text than Node.js holds in one string (${MAX_STRING_LENGTH} characters): refused`,
      },
    ]);
  }
}

/** The text of the file's first `bytes` bytes (enough to tell its format), checked as readConfigText checks the whole. */
export function readConfigHead(file: string, bytes: number): string {
  readableSize(file);
  const head = Buffer.alloc(bytes);
  const fd = fs.openSync(file, 'r');
  try {
    return decodeText(head.subarray(0, fs.readSync(fd, head, 0, bytes, 0)));
  } finally {
    fs.closeSync(fd);
  }
}

/** The size of a file that may be read as a configuration; anything else is an input error. */
function readableSize(file: string): number {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new InputError([{ location: { file }, message: 'cannot read the file: it does not exist or is not accessible' }]);
  }
  // A device (/dev/zero), pipe or folder has no size to check first: only regular files are read.
  if (!stat.isFile())
    throw new InputError([{ location: { file }, message: 'not a regular file (a device, pipe or folder): expected a file' }]);
  if (stat.size > MAX_CONFIG_BYTES) {
    throw new InputError([
      { location: { file }, message: `the file is ${stat.size} bytes; configurations over ${MAX_CONFIG_BYTES} bytes are refused` },
    ]);
  }
  return stat.size;
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
