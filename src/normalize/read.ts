/** Reading a configuration file as text, whatever its encoding, within a size any real one keeps. */
import * as fs from 'node:fs';
import { InputError } from '../model/errors';

/** Larger files are refused rather than read: no real firewall configuration comes near it. */
export const MAX_CONFIG_BYTES = 64 * 1024 * 1024;

/** The file's text: UTF-8, or UTF-16LE/UTF-8 with a byte-order mark (Windows exports are UTF-16LE). */
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
  const bytes = fs.readFileSync(file);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  return bytes.toString('utf8');
}
