/**
 * A rule in pf's words, for reports and traces: `pass in quick on lan inet proto tcp from
 * lan net to directors port 443 "Director HTTPS"`. It is written from the rule's fields as the
 * configuration holds them (aliases and interface names, not what they resolve to), so an
 * auditor recognises the rule, and it is what identifies the rule across edits of the file.
 */

export interface RuleWords {
  readonly action: string;
  readonly direction: string;
  readonly quick: boolean;
  /** `lan`, `wan,opt1`, `! lan`, or empty for every interface. */
  readonly interfaces: string;
  readonly family: string;
  readonly protocol: string;
  readonly from: string;
  readonly fromPort: string;
  readonly to: string;
  readonly toPort: string;
  /** Further conditions as pf writes them: `icmp-type echoreq`, `tagged VOIP`, `schedule workhours`. */
  readonly extras: readonly string[];
  readonly description: string;
}

export function renderRule(words: RuleWords): string {
  const parts = [words.action];
  if (words.direction !== '') parts.push(words.direction);
  if (words.quick) parts.push('quick');
  if (words.interfaces !== '') parts.push(`on ${words.interfaces}`);
  if (words.family !== '') parts.push(words.family);
  if (words.protocol !== '') parts.push(`proto ${words.protocol}`);
  parts.push('from', words.from || 'any');
  if (words.fromPort !== '') parts.push('port', words.fromPort);
  parts.push('to', words.to || 'any');
  if (words.toPort !== '') parts.push('port', words.toPort);
  parts.push(...words.extras);
  if (words.description !== '') parts.push(JSON.stringify(words.description));
  return parts.join(' ');
}

/** An endpoint in pf's words: `any`, `! web_servers`, `lan net`, `opt1 address`, `(self)`. */
export function endpointWords(any: boolean, network: string, address: string, negated: boolean): string {
  const not = negated ? '! ' : '';
  if (any) return 'any';
  if (network !== '') {
    if (network === '(self)') return `${not}(self)`;
    const ip = /^(wan|lan|opt\d+)ip$/.exec(network);
    return `${not}${ip ? `${ip[1]} address` : `${network} net`}`;
  }
  return address === '' ? '(nothing)' : `${not}${address}`;
}
