/**
 * The Linux kernel as an oracle for iptables semantics.
 *
 * Each run makes two network namespaces of its own: the firewall, where the rule set under test is
 * loaded with iptables-restore (Debian's nf_tables build by default, the legacy one on request), and
 * a peer holding the far end of every veth pair of the firewall (named as the probes name them:
 * eth0, eth1, wlan0, …). A Python script in the peer writes each probe as a whole Ethernet frame
 * (AF_PACKET) onto the veth leading to the probe's input interface, so any source address can be
 * sent without routing in the sender. In the firewall a probe's destination is made local (INPUT)
 * with a `local` route, or routed out of the probe's output interface (FORWARD) by a routing table
 * chosen by input interface; rp_filter is off and accept_local on.
 *
 * Verdicts are read from counters, not guessed from replies. Every probe is matched by rules of its
 * own (input interface, source, protocol, and an IP length unique within the round): at the end of
 * the `security` table's INPUT or FORWARD chain, which runs after raw, mangle and nat PREROUTING and
 * after mangle and filter, a count of 1 means accepted and 0 dropped or rejected. Rules without a
 * target at the top of raw PREROUTING and mangle INPUT/FORWARD show that each probe arrived and took
 * its chain's path (and out of the right interface). Before the rule set is loaded, a calibration
 * pass sends the same probes with only those counting rules: each must be accepted, so that a probe
 * routing would drop (a martian) is an error rather than a verdict. Conntrack is not active during
 * calibration (no rule needs it), so the probes are still NEW afterwards.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type Family = 4 | 6;
/** Which of Debian's iptables builds loads the rules: nf_tables (Debian's default) or the legacy x_tables. */
export type Backend = 'nft' | 'legacy';
export type ProbeChain = 'INPUT' | 'FORWARD';

/**
 * The first packet of a new connection, as `fwmatrix trace --probes` reads it: a TCP SYN, a UDP
 * datagram, an ICMP message (`icmp` or 1 for IPv4, 58 for IPv6; an echo request unless `icmpType`
 * and `icmpCode` say otherwise) or a bare packet of another protocol number. `out` is only for FORWARD.
 */
export interface Probe {
  from: string;
  to: string;
  proto: 'tcp' | 'udp' | 'icmp' | number;
  sport?: number;
  dport?: number;
  icmpType?: number;
  icmpCode?: number;
  in: string;
  out?: string;
  chain: ProbeChain;
}

export interface KernelVerdict {
  /** The probe passed every table of its path up to and including filter (counted in security). */
  accepted: boolean;
  /** The probe reached the hook of its chain; false when raw, mangle or nat PREROUTING dropped it. */
  reachedChain: boolean;
}

export interface KernelRunOptions {
  backend?: Backend;
}

const NAMESPACE_PREFIX = 'fwmk';
/** Probes are told apart by IP length; lengths start above those of IPv6 neighbour discovery and MLD. */
const FIRST_TAG_LENGTH = 200;
const MAX_TAG_LENGTH = 1400;
const ARRIVAL_TIMEOUT_MS = 3000;
/** Routing tables by input interface are numbered from here, and so are their rules' priorities. */
const FIRST_INPUT_TABLE = 1000;

function protocolNumber(proto: Probe['proto'], family: Family): number {
  switch (proto) {
    case 'tcp':
      return 6;
    case 'udp':
      return 17;
    case 'icmp':
      return family === 4 ? 1 : 58;
    default:
      return proto;
  }
}

/** The ICMP protocol of the family, whose probes carry an identifier of their own. */
function isIcmp(protocol: number, family: Family): boolean {
  return protocol === (family === 4 ? 1 : 58);
}

function hasPorts(protocol: number): boolean {
  return protocol === 6 || protocol === 17;
}

// ---------------------------------------------------------------------------------------------
// Commands

interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** For cleanup, which must also work in an `exit` handler, and for the availability check. */
function executeSync(command: string, args: string[]): CommandResult {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.error ? result.error.message : result.stderr };
}

/** Asynchronous, so that a signal's cleanup handler runs while the harness waits on a command. */
function execute(command: string, args: string[], input?: string): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => resolve({ status: null, stdout, stderr: error.message }));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    // A command that exits without reading its input closes the pipe: that is not an error here.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

async function mustExecute(command: string, args: string[], input?: string): Promise<string> {
  const result = await execute(command, args, input);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr.trim()}`);
  }
  return result.stdout;
}

function inNamespace(namespace: string, command: string, args: string[], input?: string): Promise<string> {
  return mustExecute('ip', ['netns', 'exec', namespace, command, ...args], input);
}

function restoreCommand(family: Family, backend: Backend): string {
  return `${family === 4 ? 'iptables' : 'ip6tables'}-${backend}-restore`;
}

function saveCommand(family: Family, backend: Backend): string {
  return `${family === 4 ? 'iptables' : 'ip6tables'}-${backend}-save`;
}

/** The system directories first: the sbin tools are there, and a version manager's shim (pyenv) adds ~150 ms a call. */
function findTool(command: string): string | null {
  const dirs = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', ...(process.env.PATH ?? '').split(':')];
  for (const dir of dirs) {
    const candidate = path.join(dir, command);
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  return null;
}

/** Why the harness cannot run here (not root, a tool missing, no namespaces), or null when it can. */
function harnessUnavailableReason(): string | null {
  if (process.getuid?.() !== 0) return 'the kernel harness needs root (network namespaces, iptables)';
  const tools = ['ip', 'python3'];
  for (const backend of ['nft', 'legacy'] as const) {
    for (const family of [4, 6] as const) tools.push(restoreCommand(family, backend), saveCommand(family, backend));
  }
  const missing = tools.filter((tool) => findTool(tool) === null);
  if (missing.length > 0) return `missing ${missing.join(', ')} (apt-get install iptables iproute2 python3)`;
  const name = `${NAMESPACE_PREFIX}-${process.pid}-check`;
  const created = executeSync('ip', ['netns', 'add', name]);
  if (created.status !== 0) return `cannot create a network namespace: ${created.stderr.trim()}`;
  executeSync('ip', ['netns', 'del', name]);
  return null;
}

/**
 * How a kernel test suite runs here: `skip` (a reason) when the harness is unavailable off CI;
 * `failure` (a reason) when it is unavailable on CI, which must run these tests.
 */
export function kernelTestGate(): { skip: string | false; failure: string | null } {
  const reason = harnessUnavailableReason();
  if (reason === null) return { skip: false, failure: null };
  return process.env.CI
    ? { skip: false, failure: `CI must run the kernel tests, but ${reason}` }
    : { skip: `skipped: ${reason}`, failure: null };
}

// ---------------------------------------------------------------------------------------------
// Namespaces: created under unique names, removed in `finally`, on exit and on fatal signals.

const liveNamespaces = new Set<string>();
let namespaceCounter = 0;
let cleanupInstalled = false;

function removeNamespace(name: string): void {
  executeSync('ip', ['netns', 'del', name]);
  liveNamespaces.delete(name);
}

function removeAllNamespaces(): void {
  for (const name of [...liveNamespaces]) removeNamespace(name);
}

function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', removeAllNamespaces);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      removeAllNamespaces();
      process.exit(128 + os.constants.signals[signal]);
    });
  }
  removeOrphanedNamespaces();
}

/** Namespaces left by a harness process that was killed outright (SIGKILL) before it could clean up. */
function removeOrphanedNamespaces(): void {
  const listing = executeSync('ip', ['netns', 'list']).stdout;
  for (const line of listing.split('\n')) {
    const match = new RegExp(`^(${NAMESPACE_PREFIX}-(\\d+)-\\S+)`).exec(line);
    if (match && !processAlive(Number(match[2]))) executeSync('ip', ['netns', 'del', match[1]]);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `body` with fresh namespaces and removes them afterwards, whatever happens. */
async function withNamespaces<T>(count: number, body: (names: string[]) => Promise<T>): Promise<T> {
  installCleanup();
  const names: string[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const name = `${NAMESPACE_PREFIX}-${process.pid}-${++namespaceCounter}`;
      // Registered first: a signal during `ip netns add` still removes it.
      liveNamespaces.add(name);
      names.push(name);
      await mustExecute('ip', ['netns', 'add', name]);
    }
    return await body(names);
  } finally {
    names.forEach(removeNamespace);
  }
}

async function writeSysctls(namespace: string, settings: Record<string, string>): Promise<void> {
  const script = Object.entries(settings)
    .map(([key, value]) => `echo ${value} > /proc/sys/${key}`)
    .join(' && ');
  await inNamespace(namespace, 'sh', ['-c', script]);
}

// ---------------------------------------------------------------------------------------------
// Rounds

/**
 * The probes one namespace setup can take: every destination has one disposition (local, or out
 * of one interface per input interface), every connection tuple is new to conntrack, and every
 * probe gets its own length tag.
 */
export class RoundPlan {
  readonly probes: { probe: Probe; index: number }[] = [];
  readonly localDestinations = new Set<string>();
  private readonly forwardedDestinations = new Set<string>();
  /** "input-interface destination" → output interface */
  readonly routes = new Map<string, string>();
  private readonly tuples = new Set<string>();
  private readonly sources = new Set<string>();

  constructor(private readonly family: Family) {}

  /** ICMP probes get distinct identifiers, so only TCP, UDP and other protocols can repeat a tuple. */
  private tuple(probe: Probe): string | null {
    const protocol = protocolNumber(probe.proto, this.family);
    return isIcmp(protocol, this.family) ? null : `${probe.from} ${probe.to} ${protocol} ${probe.sport} ${probe.dport}`;
  }

  /**
   * A source that is one of the round's local addresses would be the firewall's own (LOCAL to
   * addrtype, and a martian where accept_local is off): sources and local destinations stay apart.
   */
  fits(probe: Probe): boolean {
    if (this.probes.length >= MAX_TAG_LENGTH - FIRST_TAG_LENGTH) return false;
    const tuple = this.tuple(probe);
    if (tuple !== null && this.tuples.has(tuple)) return false;
    if (this.localDestinations.has(probe.from)) return false;
    if (probe.chain === 'INPUT') return !this.forwardedDestinations.has(probe.to) && !this.sources.has(probe.to);
    const routed = this.routes.get(`${probe.in} ${probe.to}`);
    return !this.localDestinations.has(probe.to) && (routed === undefined || routed === probe.out);
  }

  add(probe: Probe, index: number): void {
    this.probes.push({ probe, index });
    const tuple = this.tuple(probe);
    if (tuple !== null) this.tuples.add(tuple);
    this.sources.add(probe.from);
    if (probe.chain === 'INPUT') this.localDestinations.add(probe.to);
    else {
      this.forwardedDestinations.add(probe.to);
      this.routes.set(`${probe.in} ${probe.to}`, probe.out!);
    }
  }
}

function splitIntoRounds(probes: Probe[], family: Family): RoundPlan[] {
  const rounds: RoundPlan[] = [];
  probes.forEach((probe, index) => {
    let round = rounds.find((candidate) => candidate.fits(probe));
    if (!round) rounds.push((round = new RoundPlan(family)));
    round.add(probe, index);
  });
  return rounds;
}

function validateProbe(probe: Probe, family: Family): void {
  const where = JSON.stringify(probe);
  if (probe.in === 'lo') throw new Error(`cannot send a probe in on lo: ${where}`);
  if (probe.chain === 'FORWARD' && (!probe.out || probe.out === probe.in)) {
    throw new Error(`a FORWARD probe needs an output interface other than its input: ${where}`);
  }
  if (probe.from.includes(':') !== (family === 6) || probe.to.includes(':') !== (family === 6)) {
    throw new Error(`probe addresses are not IPv${family}: ${where}`);
  }
  const protocol = protocolNumber(probe.proto, family);
  if (hasPorts(protocol) && (probe.sport === undefined || probe.dport === undefined)) {
    throw new Error(`a TCP or UDP probe needs sport and dport: ${where}`);
  }
}

// ---------------------------------------------------------------------------------------------
// One round: namespaces, rules, counters, packets.

interface TaggedProbe {
  probe: Probe;
  /** The probe's number within the round, used in counter comments. */
  id: number;
  protocol: number;
  length: number;
}

function macAddress(side: 1 | 2, interfaceIndex: number): string {
  return `02:00:00:00:0${side}:${(interfaceIndex + 1).toString(16).padStart(2, '0')}`;
}

async function setUpNetwork(firewall: string, peer: string, family: Family, interfaces: string[], round: RoundPlan): Promise<void> {
  await writeSysctls(firewall, {
    'net/ipv4/ip_forward': '1',
    'net/ipv4/conf/all/rp_filter': '0',
    'net/ipv4/conf/default/rp_filter': '0',
    'net/ipv4/conf/all/accept_local': '1',
    'net/ipv4/conf/default/accept_local': '1',
    'net/ipv6/conf/all/forwarding': '1',
    'net/ipv6/conf/default/forwarding': '1',
  });
  // The peer only writes frames: without IPv6 it sends no neighbour discovery or MLD of its own.
  await writeSysctls(peer, { 'net/ipv6/conf/all/disable_ipv6': '1', 'net/ipv6/conf/default/disable_ipv6': '1' });

  const hostBits = family === 4 ? 32 : 128;
  // `arp off`: the firewall resolves no neighbours, so forwarded probes leave at once (to be dropped by the peer).
  const commands = ['link set lo up'];
  interfaces.forEach((name, i) => {
    commands.push(
      `link add ${name} address ${macAddress(1, i)} type veth peer name p${i} address ${macAddress(2, i)} netns ${peer}`,
      `link set ${name} arp off up`,
    );
  });
  interfaces.forEach((name, i) => commands.push(`rule add iif ${name} lookup ${FIRST_INPUT_TABLE + i} pref ${FIRST_INPUT_TABLE + i}`));
  for (const destination of round.localDestinations) commands.push(`route add local ${destination}/${hostBits} dev lo table local`);
  for (const [key, out] of round.routes) {
    const [input, destination] = key.split(' ');
    commands.push(`route add ${destination}/${hostBits} dev ${out} table ${FIRST_INPUT_TABLE + interfaces.indexOf(input)}`);
  }
  await mustExecute('ip', ['-n', firewall, `-${family}`, '-batch', '-'], commands.join('\n') + '\n');
  await mustExecute('ip', ['-n', peer, '-batch', '-'], interfaces.map((_, i) => `link set p${i} arp off up`).join('\n') + '\n');
}

function counterComment(id: number, where: string): string {
  return `fwmk:${id}:${where}`;
}

/** The iptables-restore --noflush text of the counting rules. */
function countingRules(tagged: TaggedProbe[]): string {
  const match = (t: TaggedProbe): string => `-s ${t.probe.from} -i ${t.probe.in} -p ${t.protocol} -m length --length ${t.length}`;
  const raw: string[] = [];
  const mangle: string[] = [];
  const security: string[] = [];
  for (const t of tagged) {
    raw.push(`-I PREROUTING 1 ${match(t)} -m comment --comment ${counterComment(t.id, 'arrived')}`);
    mangle.push(`-I INPUT 1 ${match(t)} -m comment --comment ${counterComment(t.id, 'INPUT')}`);
    mangle.push(`-I FORWARD 1 ${match(t)} -m comment --comment ${counterComment(t.id, 'FORWARD')}`);
    if (t.probe.chain === 'FORWARD') {
      mangle.push(`-I FORWARD 1 ${match(t)} -o ${t.probe.out} -m comment --comment ${counterComment(t.id, 'out')}`);
    }
    security.push(`-A ${t.probe.chain} ${match(t)} -m comment --comment ${counterComment(t.id, 'accepted')}`);
  }
  const table = (name: string, rules: string[]): string => `*${name}\n${rules.join('\n')}\nCOMMIT\n`;
  return table('raw', raw) + table('mangle', mangle) + table('security', security);
}

async function readCounters(firewall: string, family: Family, backend: Backend): Promise<Map<string, number>> {
  const counters = new Map<string, number>();
  for (const line of (await inNamespace(firewall, saveCommand(family, backend), ['-c'])).split('\n')) {
    const match = /^\[(\d+):\d+\] .*--comment "?(fwmk:\d+:\w+)"?/.exec(line);
    if (match) counters.set(match[2], Number(match[1]));
  }
  return counters;
}

/** Writes each probe as an Ethernet frame onto the peer end of its input interface (stdlib only). */
const SENDER_SCRIPT = String.raw`
import json, socket, struct, sys

def checksum(data):
    if len(data) % 2:
        data += b'\0'
    total = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff

def with_checksum(segment, offset, pseudo):
    value = checksum(pseudo + segment)
    if value == 0 and offset == 6:
        value = 0xffff  # UDP: zero means "no checksum"
    return segment[:offset] + struct.pack('!H', value) + segment[offset + 2:]

sockets = {}
for p in json.load(sys.stdin):
    v6 = p['family'] == 6
    family = socket.AF_INET6 if v6 else socket.AF_INET
    src, dst = socket.inet_pton(family, p['src']), socket.inet_pton(family, p['dst'])
    proto, ip_header_length = p['protocol'], 40 if v6 else 20
    if proto == 6:
        header = struct.pack('!HHIIBBHHH', p['sport'], p['dport'], p['sequence'], 0, 5 << 4, 0x02, 64240, 0, 0)
        checksum_offset = 16
    elif proto == 17:
        header = struct.pack('!HHHH', p['sport'], p['dport'], 0, 0)
        checksum_offset = 6
    elif p['icmp']:
        header = struct.pack('!BBHHH', p['icmpType'], p['icmpCode'], 0, p['identifier'], 1)
        checksum_offset = 2
    else:
        header, checksum_offset = b'', None
    segment = header + bytes(p['length'] - ip_header_length - len(header))
    if proto == 17:
        segment = segment[:4] + struct.pack('!H', len(segment)) + segment[6:]
    if checksum_offset is not None:
        if v6:
            pseudo = src + dst + struct.pack('!IxxxB', len(segment), proto)
        elif proto == 1:
            pseudo = b''
        else:
            pseudo = src + dst + struct.pack('!xBH', proto, len(segment))
        segment = with_checksum(segment, checksum_offset, pseudo)
    if v6:
        packet = struct.pack('!IHBB', 6 << 28, len(segment), proto, 64) + src + dst + segment
        ethertype = 0x86dd
    else:
        ip_header = struct.pack('!BBHHHBBH', 0x45, 0, p['length'], p['identifier'], 0, 64, proto, 0) + src + dst
        packet = ip_header[:10] + struct.pack('!H', checksum(ip_header)) + ip_header[12:] + segment
        ethertype = 0x0800
    frame = bytes.fromhex(p['dstMac'].replace(':', '')) + bytes.fromhex(p['srcMac'].replace(':', '')) + struct.pack('!H', ethertype) + packet
    if p['iface'] not in sockets:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((p['iface'], 0))
        sockets[p['iface']] = s
    sockets[p['iface']].send(frame)
`;

async function sendProbes(peer: string, family: Family, interfaces: string[], tagged: TaggedProbe[]): Promise<void> {
  const frames = tagged.map((t) => {
    const i = interfaces.indexOf(t.probe.in);
    return {
      iface: `p${i}`,
      srcMac: macAddress(2, i),
      dstMac: macAddress(1, i),
      family,
      src: t.probe.from,
      dst: t.probe.to,
      protocol: t.protocol,
      sport: t.probe.sport ?? 0,
      dport: t.probe.dport ?? 0,
      length: t.length,
      icmp: isIcmp(t.protocol, family),
      icmpType: t.probe.icmpType ?? (family === 4 ? 8 : 128),
      icmpCode: t.probe.icmpCode ?? 0,
      identifier: t.id + 1,
      sequence: 1000 + t.id,
    };
  });
  await inNamespace(peer, findTool('python3') ?? 'python3', ['-I', '-S', '-c', SENDER_SCRIPT], JSON.stringify(frames));
}

/** Sends the probes and reads their verdicts once every probe has been counted in raw PREROUTING. */
async function sendAndObserve(
  firewall: string,
  peer: string,
  family: Family,
  backend: Backend,
  interfaces: string[],
  tagged: TaggedProbe[],
): Promise<KernelVerdict[]> {
  await sendProbes(peer, family, interfaces, tagged);
  // Each frame is processed within the sender's own system call, so waiting is rarely needed.
  let counters = await readCounters(firewall, family, backend);
  const missing = (): TaggedProbe[] => tagged.filter((t) => counters.get(counterComment(t.id, 'arrived')) !== 1);
  const deadline = Date.now() + ARRIVAL_TIMEOUT_MS;
  while (missing().length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    counters = await readCounters(firewall, family, backend);
  }
  if (missing().length > 0) {
    throw new Error(
      `probes did not reach the firewall's raw PREROUTING exactly once: ${missing()
        .map((t) => JSON.stringify(t.probe))
        .join(', ')}`,
    );
  }
  return tagged.map((t) => verdictFromCounters(t, counters));
}

async function conntrackEntries(firewall: string): Promise<number> {
  return Number((await inNamespace(firewall, 'sh', ['-c', 'cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null || echo 0'])).trim());
}

async function runRound(rules: string, family: Family, backend: Backend, round: RoundPlan): Promise<KernelVerdict[]> {
  const interfaces = [...new Set(round.probes.flatMap(({ probe }) => (probe.chain === 'FORWARD' ? [probe.in, probe.out!] : [probe.in])))];
  const tagged: TaggedProbe[] = round.probes.map(({ probe }, id) => ({
    probe,
    id,
    protocol: protocolNumber(probe.proto, family),
    length: FIRST_TAG_LENGTH + id,
  }));
  const restore = restoreCommand(family, backend);
  return withNamespaces(2, async ([firewall, peer]) => {
    await setUpNetwork(firewall, peer, family, interfaces, round);

    // Calibration: with the counting rules alone, every probe must arrive and take its chain's path;
    // a probe that routing drops (a martian) would otherwise pass for one that the rules drop.
    await inNamespace(firewall, restore, [], countingRules(tagged));
    (await sendAndObserve(firewall, peer, family, backend, interfaces, tagged)).forEach((verdict, i) => {
      if (!verdict.accepted)
        throw new Error(`the kernel does not deliver this probe even without rules: ${JSON.stringify(tagged[i].probe)}`);
    });
    // No rule so far uses conntrack, so it is not active in this namespace and the probes stay NEW.
    if ((await conntrackEntries(firewall)) !== 0)
      throw new Error('calibration probes left conntrack entries: the real probes would not be NEW');
    await inNamespace(firewall, restore, [], '*raw\nCOMMIT\n*mangle\nCOMMIT\n*security\nCOMMIT\n');

    await inNamespace(firewall, restore, [], rules);
    await inNamespace(firewall, restore, ['--noflush'], countingRules(tagged));
    return sendAndObserve(firewall, peer, family, backend, interfaces, tagged);
  });
}

function verdictFromCounters(t: TaggedProbe, counters: Map<string, number>): KernelVerdict {
  const count = (where: string): number => counters.get(counterComment(t.id, where)) ?? 0;
  const other: ProbeChain = t.probe.chain === 'INPUT' ? 'FORWARD' : 'INPUT';
  const where = JSON.stringify(t.probe);
  if (count(other) !== 0) throw new Error(`probe routed to ${other} instead of ${t.probe.chain}: ${where}`);
  const reachedChain = count(t.probe.chain) === 1;
  if (t.probe.chain === 'FORWARD' && count('out') !== count('FORWARD')) {
    throw new Error(`probe forwarded out of an interface other than ${t.probe.out}: ${where}`);
  }
  const accepted = count('accepted') === 1;
  if (accepted && !reachedChain) throw new Error(`probe accepted in ${t.probe.chain} without passing its mangle chain: ${where}`);
  return { accepted, reachedChain };
}

/**
 * Loads `rules` (iptables-save text; ip6tables-save text for family 6) into fresh namespaces and
 * returns, for each probe in order, whether the kernel accepted it. Throws when the rule set does
 * not load, uses the security table (where the verdicts are observed), or a probe could not be
 * delivered as intended.
 */
export async function kernelVerdicts(
  rules: string,
  family: Family,
  probes: Probe[],
  options: KernelRunOptions = {},
): Promise<KernelVerdict[]> {
  if (/^\*security\b/m.test(rules)) throw new Error('the rule set uses the security table, where the harness observes verdicts');
  probes.forEach((probe) => validateProbe(probe, family));
  const backend = options.backend ?? 'nft';
  const verdicts: KernelVerdict[] = new Array(probes.length);
  for (const round of splitIntoRounds(probes, family)) {
    const roundVerdicts = await runRound(rules, family, backend, round);
    round.probes.forEach(({ index }, i) => (verdicts[index] = roundVerdicts[i]));
  }
  return verdicts;
}

/** Whether `iptables-restore --test` (ip6tables-restore for family 6) accepts `rules` in a fresh namespace. */
export function restoreAccepts(rules: string, family: Family, backend: Backend = 'nft'): Promise<{ ok: boolean; message: string }> {
  return withNamespaces(1, async ([namespace]) => {
    const result = await execute('ip', ['netns', 'exec', namespace, restoreCommand(family, backend), '--test'], rules);
    return { ok: result.status === 0, message: result.stderr.trim() };
  });
}

/**
 * Whether `iptables-restore` (ip6tables-restore for family 6) loads `rules` into a fresh namespace:
 * unlike --test this reaches the kernel, whose own checks refuse more.
 */
export function restoreLoads(rules: string, family: Family, backend: Backend): Promise<{ ok: boolean; message: string }> {
  return withNamespaces(1, async ([namespace]) => {
    const result = await execute('ip', ['netns', 'exec', namespace, restoreCommand(family, backend)], rules);
    return { ok: result.status === 0, message: result.stderr.trim() };
  });
}

/** Names of this process's namespaces that still exist (the self-test checks that none are left). */
export function leftoverNamespaces(): string[] {
  return executeSync('ip', ['netns', 'list'])
    .stdout.split('\n')
    .map((line) => line.split(' ')[0])
    .filter((name) => name.startsWith(`${NAMESPACE_PREFIX}-${process.pid}-`));
}
