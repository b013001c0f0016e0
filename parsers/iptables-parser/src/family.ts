import { isIPv6 } from 'node:net';
import { type RuleBody } from './command-line';

/**
 * Whether a value holds an IPv6 address: `fe80::/10`, `[2001:db8::1]:80`,
 * `::1-::9`, comma lists of them. MAC addresses and times (`10:00:00`) are
 * not IPv6 addresses, which is why this asks node:net instead of counting colons.
 */
export function containsIpv6Literal(value: string): boolean {
  // Every IPv6 address has two colons or more; values with fewer skip the splitting.
  if (value.indexOf(':') === value.lastIndexOf(':')) return false;
  return value.split(',').some((item) => {
    const closing = item.indexOf(']');
    const unbracketed = item.startsWith('[') ? item.slice(1, closing < 0 ? undefined : closing) : item;
    return unbracketed.split('-').some((part) => isIPv6(part.split('/')[0]));
  });
}

/** Whether any address or option value of the rule is an IPv6 literal. */
export function usesIpv6Literal(body: RuleBody): boolean {
  if (body.source && containsIpv6Literal(body.source.value)) return true;
  if (body.destination && containsIpv6Literal(body.destination.value)) return true;
  const owners = body.target ? [...body.matches, body.target] : body.matches;
  return owners.some((owner) => owner.options.some((option) => option.values.some(containsIpv6Literal)));
}
