/**
 * Rule sets in the shapes tools generate, at any size: Shorewall's zone-pair chains, kube-proxy's
 * service chains, Docker's bridge chains, pfBlockerNG-style block lists, and a look-alike of the
 * TUM dump (many VLAN chains, `-m state`/multiport rules, heavy overlap). Each adds about `budget`
 * rules to the writer; the site's networks (site.ts) carry the flows the matrix requires.
 */
import { Random, ipv4, ipv4Number } from './random';
import { SaveWriter } from './save-writer';
import { SITE, type InterfaceMap } from './site';

export type ShapeName = 'shorewall' | 'kube-proxy' | 'docker' | 'pfblocker' | 'tum';

export interface Generated {
  text: string;
  /** The interfaces and networks of the network placement. */
  interfaces: InterfaceMap;
}

const COMMON_PORTS = [
  22, 25, 53, 80, 110, 143, 389, 443, 444, 465, 587, 636, 993, 995, 1433, 3306, 3389, 4443, 5060, 5061, 5062, 8080, 8443,
];

function ports(random: Random, max = 4): string {
  return random
    .some(COMMON_PORTS, random.between(1, max))
    .map((p) => (random.chance(0.1) ? `${p}:${p + random.between(1, 20)}` : String(p)))
    .join(',');
}

/** A zone of the Shorewall shape: its interface, its network and how to draw one of its hosts. */
interface Zone {
  name: string;
  iface: string;
  net: string;
  host: (random: Random) => string;
}

function siteZones(): Zone[] {
  const within = (base: string) => (random: Random) => `${base}${random.between(2, 250)}`;
  return [
    { name: 'per', iface: SITE.perimeter.iface, net: SITE.perimeter.net, host: within(SITE.perimeter.base) },
    { name: 'srv', iface: SITE.servers.iface, net: SITE.servers.net, host: within(SITE.servers.base) },
    { name: 'cli', iface: SITE.clients.iface, net: SITE.clients.net, host: within(SITE.clients.base) },
  ];
}

/** VLAN zones beyond the site's three, each a 10.x.y.0/24 on eth3.N. */
function vlanZone(n: number): Zone {
  const prefix = `10.${16 + (n >> 8)}.${n & 255}.`;
  return { name: `v${n}`, iface: `eth3.${100 + n}`, net: `${prefix}0/24`, host: (random) => `${prefix}${random.between(2, 250)}` };
}

/** Shorewall: per-interface dispatch chains, a chain per zone pair, its Drop/Reject actions and logging. */
export function shorewall(w: SaveWriter, budget: number, random: Random): InterfaceMap {
  const extra = Math.max(0, Math.min(200, Math.round(Math.sqrt(budget / 25)) - 3));
  const zones = [...siteZones(), ...Array.from({ length: extra }, (_, i) => vlanZone(i))];
  for (const chain of ['INPUT', 'FORWARD']) w.policy('filter', chain, 'DROP');
  const start = w.rules;
  actionChains(w);
  for (const zone of zones) {
    w.add('filter', 'INPUT', `-i ${zone.iface} -j ${zone.iface}_in`);
    w.add('filter', 'FORWARD', `-i ${zone.iface} -j ${zone.iface}_fwd`);
    w.add('filter', 'OUTPUT', `-o ${zone.iface} -j fw2${zone.name}`);
    w.add('filter', `${zone.iface}_in`, '-m conntrack --ctstate INVALID,NEW,UNTRACKED -j dynamic');
    w.add('filter', `${zone.iface}_in`, `-j ${zone.name}2fw`);
    w.add('filter', `${zone.iface}_fwd`, '-m conntrack --ctstate INVALID,NEW,UNTRACKED -j dynamic');
    for (const to of zones) if (to !== zone) w.add('filter', `${zone.iface}_fwd`, `-o ${to.iface} -g ${zone.name}2${to.name}`);
  }
  for (const [chain, last] of [
    ['INPUT', 'Reject'],
    ['FORWARD', 'Reject'],
  ] as const) {
    w.add('filter', chain, `-j ${last}`);
    w.add('filter', chain, `-j LOG --log-prefix "Shorewall:${chain}:REJECT:" --log-level 6`);
    w.add('filter', chain, '-g reject');
  }
  w.add('filter', 'OUTPUT', '-o lo -j ACCEPT');
  w.prepend('filter', 'INPUT', ['-i lo -j ACCEPT']);
  const pairs = zones.flatMap((from) => [...zones.filter((to) => to !== from), undefined].map((to) => ({ from, to })));
  const perPair = Math.max(4, Math.round((budget - (w.rules - start)) / pairs.length - 4.6));
  for (const { from, to } of pairs) zonePair(w, from, to, perPair, random);
  // Outbound from the firewall itself: accepted, as Shorewall's default fw policy does.
  for (const zone of zones) w.add('filter', `fw2${zone.name}`, '-j ACCEPT');
  return Object.fromEntries(zones.map((zone) => [zone.iface, [zone.net]]));
}

function actionChains(w: SaveWriter): void {
  w.chain('filter', 'dynamic');
  for (const [name, end] of [
    ['Drop', 'DROP'],
    ['Reject', 'reject'],
  ] as const) {
    w.add('filter', name, '-m addrtype --dst-type BROADCAST -j DROP');
    w.add('filter', name, '-m addrtype --dst-type MULTICAST -j DROP');
    w.add('filter', name, '-p icmp -m icmp --icmp-type 3/4 -j ACCEPT');
    w.add('filter', name, '-p icmp -m icmp --icmp-type 11 -j ACCEPT');
    w.add('filter', name, `-p udp -m multiport --dports 135,445 -j ${end === 'DROP' ? 'DROP' : 'reject'}`);
    w.add('filter', name, `-p udp -m udp --dport 137:139 -j ${end === 'DROP' ? 'DROP' : 'reject'}`);
    w.add('filter', name, '-p udp -m udp --sport 137 --dport 1024:65535 -j DROP');
    w.add('filter', name, `-p tcp -m multiport --dports 135,139,445 -j ${end === 'DROP' ? 'DROP' : 'reject'}`);
    w.add('filter', name, '-p udp -m udp --dport 1900 -j DROP');
    w.add('filter', name, '-p tcp -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN -j DROP');
    w.add('filter', name, '-p udp -m udp --sport 53 -j DROP');
  }
  w.add('filter', 'reject', '-m addrtype --src-type BROADCAST -j DROP');
  w.add('filter', 'reject', '-s 224.0.0.0/4 -j DROP');
  w.add('filter', 'reject', '-p igmp -j DROP');
  w.add('filter', 'reject', '-p tcp -j REJECT --reject-with tcp-reset');
  w.add('filter', 'reject', '-p udp -j REJECT --reject-with icmp-port-unreachable');
  w.add('filter', 'reject', '-p icmp -j REJECT --reject-with icmp-host-unreachable');
  w.add('filter', 'reject', '-j REJECT --reject-with icmp-host-prohibited');
}

/** The Lync flows a site's administrator has opened, so that the audit finds allowed, broad and missing flows. */
function lyncRules(w: SaveWriter, chain: string, from: Zone, to: Zone | undefined): void {
  const toHost = to === undefined || to.name === 'srv';
  if (from.name === 'per' && toHost) {
    w.add('filter', chain, `-s ${SITE.reverseProxy}/32 -d ${SITE.director}/32 -p tcp -m multiport --dports 8080,4443 -j ACCEPT`);
    w.add('filter', chain, `-s ${SITE.edge}/32 -p tcp -m tcp --dport 5061 -j ACCEPT`);
  }
  if (from.name === 'cli' && toHost) w.add('filter', chain, `-d ${SITE.director}/32 -p tcp -m multiport --dports 80,443 -j ACCEPT`);
  if (from.name === 'srv' && toHost) w.add('filter', chain, `-s ${SITE.servers.net} -p tcp -m multiport --dports 444,5061,8080 -j ACCEPT`);
}

function zonePair(w: SaveWriter, from: Zone, to: Zone | undefined, rules: number, random: Random): void {
  const chain = `${from.name}2${to?.name ?? 'fw'}`;
  w.add('filter', chain, '-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');
  if (random.chance(0.5)) w.add('filter', chain, '-p icmp -m icmp --icmp-type 8 -j ACCEPT');
  lyncRules(w, chain, from, to);
  const dest = (): string => (to ? `-d ${to.host(random)}/32 ` : random.chance(0.3) ? `-d ${SITE.director}/32 ` : '');
  for (let i = 0; i < rules; i++) {
    const src = random.chance(0.4) ? `-s ${random.chance(0.5) ? from.net : `${from.host(random)}/32`} ` : '';
    const proto = random.chance(0.8) ? 'tcp' : 'udp';
    const state = random.chance(0.5) ? ' -m conntrack --ctstate NEW' : '';
    if (random.chance(0.6)) w.add('filter', chain, `${src}${dest()}-p ${proto} -m multiport --dports ${ports(random)}${state} -j ACCEPT`);
    else w.add('filter', chain, `${src}${dest()}-p ${proto} -m ${proto} --dport ${random.pick(COMMON_PORTS)}${state} -j ACCEPT`);
  }
  const drop = random.chance(0.5);
  w.add('filter', chain, `-j ${drop ? 'Drop' : 'Reject'}`);
  w.add(
    'filter',
    chain,
    `-m limit --limit 6/min --limit-burst 5 -j LOG --log-prefix "Shorewall:${chain}:${drop ? 'DROP' : 'REJECT'}:" --log-level 6`,
  );
  w.add('filter', chain, drop ? '-j DROP' : '-g reject');
}

const KUBE_HASH = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** kube-proxy in iptables mode: a chain per service and per endpoint in nat, rejects and node ports in filter. */
export function kubeProxy(w: SaveWriter, budget: number, random: Random): void {
  const services = Math.max(1, Math.round(budget / 9.7));
  for (const chain of ['KUBE-SERVICES', 'KUBE-NODEPORTS']) w.chain('nat', chain);
  w.add('nat', 'KUBE-MARK-MASQ', '-j MARK --set-xmark 0x4000/0x4000');
  w.add('nat', 'KUBE-POSTROUTING', '-m mark ! --mark 0x4000/0x4000 -j RETURN');
  w.add('nat', 'KUBE-POSTROUTING', '-j MARK --set-xmark 0x4000/0x0');
  w.add('nat', 'KUBE-POSTROUTING', '-m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully');
  w.add(
    'filter',
    'KUBE-FIREWALL',
    '! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
  );
  w.add('filter', 'KUBE-FORWARD', '-m conntrack --ctstate INVALID -j DROP');
  w.add('filter', 'KUBE-FORWARD', '-m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT');
  w.add(
    'filter',
    'KUBE-FORWARD',
    '-m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  );
  w.chain('filter', 'KUBE-SERVICES');
  w.chain('filter', 'KUBE-EXTERNAL-SERVICES');
  w.chain('filter', 'KUBE-NODEPORTS');
  w.chain('filter', 'KUBE-PROXY-FIREWALL');
  let nodePort = 30000;
  for (let s = 0; s < services; s++) {
    const name = `ns${s % 97}/svc-${s}:${random.pick(['http', 'https', 'grpc', 'metrics', 'dns'])}`;
    const clusterIp = ipv4(ipv4Number('10.96.0.0') + 10 + s);
    const proto = random.chance(0.9) ? 'tcp' : 'udp';
    const port = random.pick([80, 443, 8080, 9090, 53, 6379, 5432, 3000]);
    const endpoints = random.chance(0.05) ? 0 : random.between(1, 4);
    if (endpoints === 0) {
      w.add(
        'filter',
        'KUBE-SERVICES',
        `-d ${clusterIp}/32 -p ${proto} -m comment --comment "${name} has no endpoints" -m ${proto} --dport ${port} -j REJECT --reject-with icmp-port-unreachable`,
      );
      continue;
    }
    const svc = `KUBE-SVC-${random.word(16, KUBE_HASH)}`;
    w.add(
      'nat',
      'KUBE-SERVICES',
      `-d ${clusterIp}/32 -p ${proto} -m comment --comment "${name} cluster IP" -m ${proto} --dport ${port} -j ${svc}`,
    );
    w.add(
      'nat',
      svc,
      `! -s 10.244.0.0/16 -d ${clusterIp}/32 -p ${proto} -m comment --comment "${name} cluster IP" -m ${proto} --dport ${port} -j KUBE-MARK-MASQ`,
    );
    if (random.chance(0.15) && nodePort < 32767) {
      const ext = `KUBE-EXT-${random.word(16, KUBE_HASH)}`;
      w.add('nat', 'KUBE-NODEPORTS', `-p ${proto} -m comment --comment "${name}" -m ${proto} --dport ${nodePort} -j ${ext}`);
      w.add('nat', ext, '-m comment --comment "masquerade traffic for external destinations" -j KUBE-MARK-MASQ');
      w.add('nat', ext, `-j ${svc}`);
      w.add(
        'filter',
        'KUBE-NODEPORTS',
        `-p ${proto} -m comment --comment "${name} health check node port" -m ${proto} --dport ${nodePort} -j ACCEPT`,
      );
      nodePort++;
    }
    for (let e = 0; e < endpoints; e++) {
      const sep = `KUBE-SEP-${random.word(16, KUBE_HASH)}`;
      const pod = ipv4(ipv4Number('10.244.0.0') + random.int(65534) + 1);
      const podPort = random.pick([port, 8080, 8443, 9000]);
      const left = endpoints - e;
      const statistic = left > 1 ? ` -m statistic --mode random --probability ${(1 / left).toFixed(11)}` : '';
      w.add('nat', svc, `-m comment --comment "${name} -> ${pod}:${podPort}"${statistic} -j ${sep}`);
      w.add('nat', sep, `-s ${pod}/32 -m comment --comment "${name}" -j KUBE-MARK-MASQ`);
      w.add('nat', sep, `-p ${proto} -m comment --comment "${name}" -m ${proto} -j DNAT --to-destination ${pod}:${podPort}`);
    }
  }
  w.add(
    'nat',
    'KUBE-SERVICES',
    '-m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
  );
  w.prepend('nat', 'PREROUTING', ['-m comment --comment "kubernetes service portals" -j KUBE-SERVICES']);
  w.prepend('nat', 'OUTPUT', ['-m comment --comment "kubernetes service portals" -j KUBE-SERVICES']);
  w.prepend('nat', 'POSTROUTING', ['-m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING']);
  w.prepend('filter', 'INPUT', [
    '-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
    '-m conntrack --ctstate NEW -m comment --comment "kubernetes externally visible service portals" -j KUBE-EXTERNAL-SERVICES',
    '-j KUBE-FIREWALL',
  ]);
  w.prepend('filter', 'FORWARD', [
    '-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
    '-m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-m conntrack --ctstate NEW -m comment --comment "kubernetes externally visible service portals" -j KUBE-EXTERNAL-SERVICES',
  ]);
  w.prepend('filter', 'OUTPUT', [
    '-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-j KUBE-FIREWALL',
  ]);
}

/** Docker: a bridge per network, its isolation and published ports (an ACCEPT in filter, a DNAT and a MASQUERADE in nat). */
export function docker(w: SaveWriter, budget: number, random: Random): void {
  const networks = Math.max(1, Math.round(Math.sqrt(budget / 40)));
  const perNetwork = Math.max(1, Math.floor((budget / networks - 8) / 3));
  let hostPort = 10000;
  for (const chain of ['DOCKER', 'DOCKER-ISOLATION-STAGE-1', 'DOCKER-ISOLATION-STAGE-2', 'DOCKER-USER']) w.chain('filter', chain);
  const forward: string[] = ['-j DOCKER-USER', '-j DOCKER-ISOLATION-STAGE-1'];
  for (let n = 0; n < networks; n++) {
    const bridge = n === 0 ? 'docker0' : `br-${random.word(12, '0123456789abcdef')}`;
    const base = n === 0 ? ipv4Number('172.17.0.0') : ipv4Number(`10.${128 + (n >> 8)}.${n & 255}.0`);
    const subnet = `${ipv4(base)}/${n === 0 ? 16 : 24}`;
    const hosts = n === 0 ? 65000 : 250;
    forward.push(
      `-o ${bridge} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
      `-o ${bridge} -j DOCKER`,
      `-i ${bridge} ! -o ${bridge} -j ACCEPT`,
      `-i ${bridge} -o ${bridge} -j ACCEPT`,
    );
    w.add('filter', 'DOCKER-ISOLATION-STAGE-1', `-i ${bridge} ! -o ${bridge} -j DOCKER-ISOLATION-STAGE-2`);
    w.add('filter', 'DOCKER-ISOLATION-STAGE-2', `-o ${bridge} -j DROP`);
    w.add('nat', 'POSTROUTING', `-s ${subnet} ! -o ${bridge} -j MASQUERADE`);
    w.add('nat', 'DOCKER', `-i ${bridge} -j RETURN`);
    for (let p = 0; p < perNetwork; p++) {
      const container = ipv4(base + 2 + (p % hosts));
      const proto = random.chance(0.9) ? 'tcp' : 'udp';
      const port = random.pick([80, 443, 3000, 5000, 8080, 9000, 6379, 5432]);
      const published = hostPort++ % 55000;
      w.add('filter', 'DOCKER', `-d ${container}/32 ! -i ${bridge} -o ${bridge} -p ${proto} -m ${proto} --dport ${port} -j ACCEPT`);
      w.add('nat', 'POSTROUTING', `-s ${container}/32 -d ${container}/32 -p ${proto} -m ${proto} --dport ${port} -j MASQUERADE`);
      w.add(
        'nat',
        'DOCKER',
        `! -i ${bridge} -p ${proto} -m ${proto} --dport ${10000 + published} -j DNAT --to-destination ${container}:${port}`,
      );
    }
  }
  w.add('filter', 'DOCKER-ISOLATION-STAGE-1', '-j RETURN');
  w.add('filter', 'DOCKER-ISOLATION-STAGE-2', '-j RETURN');
  w.add('filter', 'DOCKER-USER', '-j RETURN');
  w.prepend('filter', 'FORWARD', forward);
  w.prepend('nat', 'PREROUTING', ['-m addrtype --dst-type LOCAL -j DOCKER']);
  w.prepend('nat', 'OUTPUT', ['! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER']);
}

/** Public space outside the documentation, private and special ranges, as block lists hold it. */
function publicAddress(random: Random): number {
  for (;;) {
    const n = random.int(2 ** 32);
    const first = n >>> 24;
    if (first === 0 || first === 10 || first === 127 || first >= 224) continue;
    if (first === 192 && (n >>> 16) % 256 === 0) continue;
    if (first === 198 && ((n >>> 16) & 255) === 51) continue;
    if (first === 203 && ((n >>> 16) & 255) === 0) continue;
    if (first === 172 && ((n >>> 16) & 255) >= 16 && ((n >>> 16) & 255) < 32) continue;
    return n;
  }
}

/** pfBlockerNG-style lists: GeoIP blocks (sorted, often adjacent) and threat feeds (single hosts, any order), in and out. */
export function pfblocker(w: SaveWriter, budget: number, random: Random): void {
  const lists = Math.max(1, Math.round(budget / 8000));
  const hooks: { chain: 'INPUT' | 'FORWARD' | 'OUTPUT'; rule: string }[] = [];
  for (let l = 0; l < lists; l++) {
    const geo = l % 2 === 0;
    const outbound = l % 4 === 3;
    const chain = `pfB_${geo ? 'GeoIP' : 'PRI'}${l}_${outbound ? 'out_' : ''}v4`;
    const size = Math.floor(budget / lists);
    if (outbound) {
      hooks.push(
        { chain: 'FORWARD', rule: `-o ${SITE.perimeter.iface} -j ${chain}` },
        { chain: 'OUTPUT', rule: `-o ${SITE.perimeter.iface} -j ${chain}` },
      );
    } else {
      hooks.push(
        { chain: 'INPUT', rule: `-i ${SITE.perimeter.iface} -j ${chain}` },
        { chain: 'FORWARD', rule: `-i ${SITE.perimeter.iface} -j ${chain}` },
      );
    }
    const dir = outbound ? '-d' : '-s';
    const verdict = outbound ? 'REJECT --reject-with icmp-port-unreachable' : 'DROP';
    if (random.chance(0.5)) w.add('filter', chain, `${dir} ${ipv4(publicAddress(random))}/32 -j RETURN`);
    if (geo) {
      let at = (publicAddress(random) & ~0xffff) >>> 0;
      for (let i = 0; i < size; i++) {
        const length = random.between(16, 24);
        at = ((at >>> (32 - length)) << (32 - length)) >>> 0;
        w.add('filter', chain, `${dir} ${ipv4(at)}/${length} -j ${verdict}`);
        at = (at + 2 ** (32 - length) * random.between(1, 3)) >>> 0;
        if (at >>> 24 >= 224) at = (publicAddress(random) & ~0xffff) >>> 0;
      }
    } else {
      for (let i = 0; i < size; i++) {
        const length = random.chance(0.8) ? 32 : random.between(20, 29);
        const address = ((publicAddress(random) >>> (32 - length)) << (32 - length)) >>> 0;
        w.add('filter', chain, `${dir} ${ipv4(address)}/${length} -j ${verdict}`);
      }
    }
  }
  for (const chain of ['INPUT', 'FORWARD', 'OUTPUT'] as const)
    w.prepend(
      'filter',
      chain,
      hooks.filter((h) => h.chain === chain).map((h) => h.rule),
    );
}

const TUM_PORT_LISTS = [
  '22',
  '80,443',
  '22,80,443',
  '515,631,9100',
  '22,113',
  '22,80,1080,2086:2096,4433,8333',
  '25,465,587',
  '3389',
  '5060:5061',
  '4569,5000:65535',
  '53',
  '8080,8443',
];

/** A VLAN of the TUM look-alike; the first three carry the site's networks. */
interface Vlan {
  id: number;
  iface: string;
  net: string;
  host: (random: Random) => string;
}

function tumVlans(count: number): Vlan[] {
  const site = siteZones().map((zone, i) => ({
    id: [96, 109, 110][i]!,
    iface: `eth1.${[96, 109, 110][i]}`,
    net: zone.net,
    host: zone.host,
  }));
  const rest = Array.from({ length: Math.max(0, count - site.length) }, (_, i) => {
    const id = 1000 + i;
    const prefix = `10.${(i >> 8) + 1}.${i & 255}.`;
    return { id, iface: `eth1.${id}`, net: `${prefix}0/24`, host: (random: Random) => `${prefix}${random.between(2, 250)}` };
  });
  return [...site, ...rest];
}

function mac(random: Random): string {
  return ['02', ...Array.from({ length: 5 }, () => random.word(2, '0123456789ABCDEF'))].join(':');
}

/** The TUM dump's shape: per VLAN a MAC check, a source-range check and a filter chain of -m state/multiport ACCEPTs that overlap heavily. */
export function tum(w: SaveWriter, budget: number, random: Random): InterfaceMap {
  const vlans = tumVlans(Math.max(4, Math.round(budget / 170)));
  const uplink = 'eth0';
  for (let i = 0; i < Math.max(2, Math.round(budget / 200)); i++) {
    const host = random.pick(vlans).host(random);
    w.add('raw', 'PREROUTING', `-d ${host}/32 -p udp -m udp --dport 53 -j NOTRACK`);
    w.add('raw', 'PREROUTING', `-d ${host}/32 -p udp -m udp --sport 53 -j NOTRACK`);
  }
  w.add('nat', 'POSTROUTING', `-d ${SITE.director}/32 -p tcp -m multiport --dports 389,636 -j SNAT --to-source 192.0.2.1`);
  w.add('filter', 'LOG_DROP', '-m limit --limit 100/min -j LOG --log-prefix "[IPT_DROP]:"');
  w.add('filter', 'LOG_DROP', '-j DROP');
  w.add('filter', 'LOG_RECENT_DROP', '-m limit --limit 100/min -j LOG --log-prefix "[IPT_RECENT_DROP]:"');
  w.add('filter', 'LOG_RECENT_DROP', '-j DROP');
  for (const net of vlans.slice(0, 8)) w.add('filter', 'NOTFROMHERE', `-s ${net.net} -j LOG_DROP`);
  w.add('filter', 'NOTFROMHERE', '-j RETURN');
  for (const chain of ['INPUT', 'FORWARD']) {
    w.add('filter', chain, '-m state --state RELATED,ESTABLISHED,UNTRACKED -j ACCEPT');
    w.add('filter', chain, `-i ${uplink} -j NOTFROMHERE`);
    w.add(
      'filter',
      chain,
      '-p tcp -m state --state NEW -m tcp --dport 22 --tcp-flags FIN,SYN,RST,ACK SYN -m recent --update --seconds 60 --hitcount 41 --name ratessh --rsource -j LOG_RECENT_DROP',
    );
    w.add('filter', chain, '-s 127.0.0.0/8 -j LOG_DROP');
  }
  w.add('filter', 'INPUT', '-i lo -j ACCEPT');
  w.add('filter', 'INPUT', `-i ${uplink} -j filter_INPUT`);
  w.add('filter', 'filter_INPUT', '-p udp -m state --state NEW -m udp --dport 53 -j ACCEPT');
  w.add('filter', 'filter_INPUT', '-p tcp -m state --state NEW -m tcp --dport 22 --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT');
  w.add(
    'filter',
    'filter_INPUT',
    `-d ${SITE.director}/32 -p tcp -m state --state NEW -m multiport --dports 80,443,444,5061,8080,4443 -j ACCEPT`,
  );
  const budgetPerVlan = Math.max(6, Math.floor(budget / vlans.length) - 8);
  for (const vlan of vlans) {
    w.add('filter', 'FORWARD', `-s ${vlan.net} -i ${vlan.iface} -j mac_${vlan.id}`);
    w.add('filter', 'FORWARD', `-i ${vlan.iface} -j ranges_${vlan.id}`);
    w.add('filter', `ranges_${vlan.id}`, `-s ${vlan.net} -j RETURN`);
    w.add('filter', `ranges_${vlan.id}`, '-j LOG_DROP');
    const macs = Math.floor((budgetPerVlan * random.between(10, 40)) / 100 / 2);
    for (let i = 0; i < macs; i++) {
      const host = vlan.host(random);
      w.add('filter', `mac_${vlan.id}`, `-s ${host}/32 -m mac --mac-source ${mac(random)} -j RETURN`);
      w.add('filter', `mac_${vlan.id}`, `-s ${host}/32 -j DROP`);
    }
    const filters = budgetPerVlan - 2 * macs;
    for (let i = 0; i < filters; i++) {
      const dst = vlan.host(random);
      const src = random.chance(0.4)
        ? `-s ${random.pick(vlans).net} `
        : random.chance(0.2)
          ? `-s ${random.pick(vlans).host(random)}/32 `
          : '';
      const list = random.pick(TUM_PORT_LISTS);
      if (random.chance(0.1)) w.add('filter', `filter_${vlan.id}`, `-d ${dst}/32 -p esp -m state --state NEW -j ACCEPT`);
      else if (random.chance(0.7))
        w.add(
          'filter',
          `filter_${vlan.id}`,
          `${src}-d ${dst}/32 -p tcp -m state --state NEW -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -m multiport --dports ${list} -j ACCEPT`,
        );
      else w.add('filter', `filter_${vlan.id}`, `${src}-d ${dst}/32 -p udp -m state --state NEW -m multiport --dports ${list} -j ACCEPT`);
    }
    w.add('filter', `filter_${vlan.id}`, '-j filter_DEFAULT');
  }
  for (const vlan of vlans) w.add('filter', 'FORWARD', `-o ${vlan.iface} -j filter_${vlan.id}`);
  w.add('filter', 'FORWARD', '-j LOG_DROP');
  w.add('filter', 'INPUT', '-j LOG_DROP');
  w.add('filter', 'filter_DEFAULT', '-p icmp -j ACCEPT');
  w.add('filter', 'filter_DEFAULT', '-m limit --limit 100/min -j REJECT --reject-with icmp-port-unreachable');
  w.add('filter', 'filter_DEFAULT', '-j DROP');
  return Object.fromEntries([[uplink, ['0.0.0.0/0']], ...vlans.map((vlan) => [vlan.iface, [vlan.net]])]);
}

/**
 * A rule set of about `rules` rules in one shape, or `mixed`: a Shorewall firewall on a host that
 * also runs Docker and kube-proxy and loads pfBlockerNG-style lists (25/15/35/25 per cent).
 */
export function generate(shape: ShapeName | 'mixed', rules: number, seed: number): Generated {
  const random = new Random(seed);
  const w = new SaveWriter();
  let interfaces: InterfaceMap;
  switch (shape) {
    case 'mixed':
      interfaces = shorewall(w, rules * 0.25, random);
      docker(w, rules * 0.15, random);
      kubeProxy(w, rules * 0.35, random);
      pfblocker(w, rules * 0.25, random);
      break;
    case 'shorewall':
      interfaces = shorewall(w, rules, random);
      break;
    case 'tum':
      interfaces = tum(w, rules, random);
      break;
    case 'kube-proxy':
      interfaces = shorewall(w, 100, random);
      kubeProxy(w, rules, random);
      break;
    case 'docker':
      interfaces = shorewall(w, 100, random);
      docker(w, rules, random);
      break;
    case 'pfblocker':
      interfaces = shorewall(w, 100, random);
      pfblocker(w, rules, random);
      break;
  }
  return { text: w.toString(), interfaces };
}
