/**
 * How pfSense and OPNsense read the same config.xml words differently. Both ask of most settings
 * whether the element is there at all (`isset`: `<enable>0</enable>` enables an interface); for a
 * rule's own on/off fields pfSense still asks that (`<disabled>0</disabled>` disables), while
 * OPNsense asks whether it holds something other than nothing or "0" (`!empty`).
 */
import type { Text, Vendor } from '../../../parsers/pfsense-config/src';

export interface Dialect {
  readonly vendor: Vendor;
  /** The product's name, for messages. */
  readonly product: string;
  /** Whether a rule's on/off field (`disabled`, `quick`) or an interface's `blockpriv`/`blockbogons` is on. */
  flag(text: Text | undefined): boolean;
}

export const PFSENSE: Dialect = {
  vendor: 'pfsense',
  product: 'pfSense',
  flag: (text) => text !== undefined,
};

export const OPNSENSE: Dialect = {
  vendor: 'opnsense',
  product: 'OPNsense',
  flag: (text) => text !== undefined && text.value !== '' && text.value !== '0',
};

export function dialectOf(vendor: Vendor): Dialect {
  return vendor === 'pfsense' ? PFSENSE : OPNSENSE;
}

/** Whether a setting the firewall tests with `isset` is on: the element is there, whatever it holds. */
export function present(text: Text | undefined): boolean {
  return text !== undefined;
}
