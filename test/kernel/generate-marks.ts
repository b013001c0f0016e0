/**
 * Packet and connection marks for generated rule sets: MARK and CONNMARK writers (every operation,
 * masks and shifts, save and restore) in raw, mangle and filter, and -m mark / -m connmark
 * readers after them, with values drawn from a few bits so that what is written is often what is
 * read. NOTRACK in raw takes some probes' connections away: CONNMARK then writes nothing and
 * -m connmark never matches. Only what the configuration decides: no HMARK, no random matches.
 */
import type { Family } from './netns';

/** The part of the generator's random source that marks use (so that adding marks does not change the rest). */
export interface MarkPicker {
  chance(probability: number): boolean;
  integer(min: number, max: number): number;
  one<T>(items: readonly T[]): T;
}

/** Mostly the low two bits, so that a reader often tests what a writer left. */
const VALUES = ['0x0', '0x1', '0x2', '0x3', '0x1', '0x2', '0x10', '0x12'];
const MASKS = ['0x1', '0x2', '0x3', '0x3', '0xf', '0x10', '0x13', '0xffffffff'];
const SET_OPERATIONS = ['set-xmark', 'set-mark', 'and-mark', 'or-mark', 'xor-mark'] as const;

function valueMask(pick: MarkPicker): string {
  return pick.chance(0.5) ? pick.one(VALUES) : `${pick.one(VALUES)}/${pick.one(MASKS)}`;
}

function setOperation(pick: MarkPicker): string {
  const op = pick.one(SET_OPERATIONS);
  return `--${op} ${op === 'set-xmark' || op === 'set-mark' ? valueMask(pick) : pick.one([...VALUES, ...MASKS])}`;
}

function shift(pick: MarkPicker): string {
  if (!pick.chance(0.3)) return '';
  return ` --${pick.one(['left', 'right'])}-shift-mark ${pick.integer(1, 4)}`;
}

/** `-j MARK …` or `-j CONNMARK …`. */
export function markWriter(pick: MarkPicker): string {
  if (pick.chance(0.4)) return `-j MARK ${setOperation(pick)}`;
  if (pick.chance(0.4)) return `-j CONNMARK ${setOperation(pick)}${pick.chance(0.2) ? ` --mask ${pick.one(MASKS)}` : ''}${shift(pick)}`;
  const masks = pick.one(['', ` --mask ${pick.one(MASKS)}`, ` --nfmask ${pick.one(MASKS)} --ctmask ${pick.one(MASKS)}`]);
  return `-j CONNMARK --${pick.one(['save-mark', 'restore-mark'])}${masks}${shift(pick)}`;
}

/** `-m mark …` or `-m connmark …`. */
export function markReader(pick: MarkPicker): string {
  return `-m ${pick.one(['mark', 'connmark'])} ${pick.chance(0.3) ? '! ' : ''}--mark ${valueMask(pick)}`;
}

/** Sources a mark rule may name, so that probes from different prefixes are marked apart. */
const SOURCES: Record<Family, string[]> = { 4: ['192.0.2.0/24', '198.51.100.0/25'], 6: ['2001:db8:0:1::/64', '2001:db8:a::/65'] };

/** What a mark rule matches besides: nothing, a source, a protocol or port, a conntrack state, or a mark. */
function condition(pick: MarkPicker, family: Family = 4): string {
  return pick.one([
    '',
    `-s ${pick.one(SOURCES[family])}`,
    `-s ${pick.one(SOURCES[family])}`,
    '-p tcp',
    '-p udp',
    '-p tcp -m tcp --dport 22:1024',
    '-p udp -m udp --sport 1024:65535',
    '-m conntrack --ctstate NEW',
    '-m conntrack --ctstate INVALID,UNTRACKED',
    markReader(pick),
  ]);
}

function rule(chain: string, parts: string[]): string {
  return ['-A', chain, ...parts.filter((part) => part !== '')].join(' ');
}

/** Writers (and some readers that drop) for a raw or mangle table, in its built-in chains of the probes' paths. */
export function markTableRules(pick: MarkPicker, table: 'raw' | 'mangle', family: Family): string[] {
  const chains = table === 'raw' ? ['PREROUTING'] : ['PREROUTING', 'PREROUTING', 'INPUT', 'FORWARD'];
  const rules = Array.from({ length: pick.integer(table === 'raw' ? 1 : 2, 5) }, () =>
    // Mostly for some packets only, so that probes carry different marks.
    rule(pick.one(chains), [pick.chance(0.85) ? condition(pick, family) : '', markWriter(pick)]),
  );
  // Connections taken away from conntrack: a later CONNMARK writes nothing for them.
  if (table === 'raw') rules.push(rule('PREROUTING', [pick.one(['-p udp', '-p tcp -m tcp --dport 80:443', '']), '-j NOTRACK']));
  if (table === 'mangle' && pick.chance(0.3)) rules.push(rule(pick.one(chains), [markReader(pick), '-j DROP']));
  return rules;
}

/** Rules for a filter chain: mark readers deciding, and writers whose marks later rules read. */
export function markFilterRules(pick: MarkPicker, chain: string, family: Family, count = pick.integer(2, 4)): string[] {
  return Array.from({ length: count }, () =>
    pick.chance(0.2)
      ? rule(chain, [condition(pick, family), markWriter(pick)])
      : rule(chain, [markReader(pick), pick.chance(0.3) ? condition(pick, family) : '', `-j ${pick.one(['ACCEPT', 'DROP', 'REJECT'])}`]),
  );
}

/**
 * A rule set about marks alone: writers in raw and mangle, then filter chains that decide by the
 * marks (readers accepting and dropping in turn), so that a mark computed wrongly changes verdicts.
 */
export function markRuleset(pick: MarkPicker, family: Family, seed: number): string {
  // Without addresses only the header tells an ip6tables-save file.
  const lines = [
    `# Generated by ${family === 6 ? 'ip6tables-save' : 'iptables-save'} for fwmatrix's kernel oracle test (marks), seed ${seed}`,
  ];
  // Every other set takes some connections away from conntrack.
  if (seed % 2 === 0)
    lines.push('*raw', ':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...markTableRules(pick, 'raw', family), 'COMMIT');
  lines.push('*mangle', ...['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'].map((c) => `:${c} ACCEPT [0:0]`));
  lines.push(...markTableRules(pick, 'mangle', family), 'COMMIT', '*filter');
  const policies = ['INPUT', 'FORWARD'].map((chain) => `:${chain} ${pick.one(['ACCEPT', 'DROP'])} [0:0]`);
  lines.push(...policies, ':OUTPUT ACCEPT [0:0]');
  for (const chain of ['INPUT', 'FORWARD']) lines.push(...markFilterRules(pick, chain, family, pick.integer(3, 6)));
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/**
 * The rules with `extra` put in among their first `within`, in their order: early, so that most
 * probes meet the marks before an earlier rule decides them.
 */
export function interleave(pick: MarkPicker, rules: string[], extra: string[], within = 2): string[] {
  const result = [...rules];
  extra.forEach((line, i) => result.splice(pick.integer(i, Math.min(result.length, within + i)), 0, line));
  return result;
}
