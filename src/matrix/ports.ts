import { type PortRange } from './types';

/** A matrix file's port: a number or "lo-hi". The schema has checked the syntax. */
export function parsePortRange(written: number | string): PortRange {
  if (typeof written === 'number') return { from: written, to: written };
  const [from, to] = written.split('-').map(Number);
  return { from, to };
}

/** "80", "50001-50003", "80, 443": as a matrix file writes them. */
export function formatPortRanges(ranges: PortRange[]): string {
  return ranges.map(({ from, to }) => (from === to ? String(from) : `${from}-${to}`)).join(', ');
}
