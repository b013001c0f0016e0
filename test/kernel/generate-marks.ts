/**
 * Packet and connection marks for generated rule sets: MARK and CONNMARK writers (every operation,
 * masks and shifts, save and restore) in raw, mangle and filter, and -m mark / -m connmark
 * readers after them, with values drawn from a few bits so that what is written is often what is
 * read. NOTRACK in raw takes some probes' connections away: CONNMARK then writes nothing and
 * -m connmark never matches. Only what the configuration decides: no HMARK, no random matches.
 */
/** The part of the generator's random source that marks use (so that adding marks does not change the rest). */
export interface MarkPicker {
  chance(probability: number): boolean;
  integer(min: number, max: number): number;
  one<T>(items: readonly T[]): T;
}

const VALUES = ['0x0', '0x1', '0x2', '0x3', '0x10', '0x11', '0x12'];
const MASKS = ['0x1', '0x2', '0x3', '0xf', '0xff', '0x10', '0x13', '0xffffffff'];
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

/** What a mark rule matches besides: nothing, a protocol or port, a conntrack state, or a mark. */
function condition(pick: MarkPicker): string {
  return pick.one([
    '',
    '',
    '-p tcp',
    '-p udp',
    '-p tcp -m tcp --dport 22:1024',
    '-m conntrack --ctstate NEW',
    '-m conntrack --ctstate INVALID,UNTRACKED',
    markReader(pick),
  ]);
}

function rule(chain: string, parts: string[]): string {
  return ['-A', chain, ...parts.filter((part) => part !== '')].join(' ');
}

/** Writers (and some readers that drop) for a raw or mangle table, in its built-in chains of the probes' paths. */
export function markTableRules(pick: MarkPicker, table: 'raw' | 'mangle'): string[] {
  const chains = table === 'raw' ? ['PREROUTING'] : ['PREROUTING', 'PREROUTING', 'INPUT', 'FORWARD'];
  const rules = Array.from({ length: pick.integer(1, 4) }, () => rule(pick.one(chains), [condition(pick), markWriter(pick)]));
  // Connections taken away from conntrack: a later CONNMARK writes nothing for them.
  if (table === 'raw' && pick.chance(0.4))
    rules.push(rule('PREROUTING', [pick.one(['-p udp', '-p tcp -m tcp --dport 80:443', '']), '-j NOTRACK']));
  if (table === 'mangle' && pick.chance(0.3)) rules.push(rule(pick.one(chains), [markReader(pick), '-j DROP']));
  return rules;
}

/** Rules for a filter chain: mark readers deciding, and writers whose marks later rules read. */
export function markFilterRules(pick: MarkPicker, chain: string): string[] {
  return Array.from({ length: pick.integer(1, 3) }, () =>
    pick.chance(0.25)
      ? rule(chain, [condition(pick), markWriter(pick)])
      : rule(chain, [markReader(pick), pick.chance(0.3) ? condition(pick) : '', `-j ${pick.one(['ACCEPT', 'DROP', 'REJECT'])}`]),
  );
}

/** The rules with `extra` put in at random places, in their order. */
export function interleave(pick: MarkPicker, rules: string[], extra: string[]): string[] {
  const result = [...rules];
  for (const line of extra) result.splice(pick.integer(0, result.length), 0, line);
  return result;
}
