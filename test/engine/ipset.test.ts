import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIptablesSave } from '../../parsers/iptables-parser/src';
import { normalizeIptables } from '../../src/normalize/iptables/normalize';
import { parseIpsetSave } from '../../src/normalize/iptables/ipset';
import { filterTable, trace } from '../helpers/programs';
import { InputError } from '../../src/model/errors';

const IPSETS = [
  'create admins hash:net family inet hashsize 1024 maxelem 65536',
  'add admins 192.0.2.0/28',
  'add admins 192.0.2.8/30 nomatch',
  'create lync hash:ip,port family inet hashsize 1024 maxelem 65536',
  'add lync 198.51.100.11,tcp:5061',
  'add lync 198.51.100.11,udp:3478',
  'create ports bitmap:port range 0-65535',
  'add ports 443',
  'create weird hash:mac hashsize 1024',
  '',
].join('\n');

const RULES = filterTable({ INPUT: 'DROP' }, [
  '-A INPUT -p tcp -m set --match-set admins src -m tcp --dport 22 -j ACCEPT',
  '-A INPUT -m set --match-set lync dst,dst -j ACCEPT',
  '-A INPUT -m set ! --match-set ports dst -p udp -j ACCEPT',
  '-A INPUT -p tcp -m tcp --dport 80 -m set --match-set weird src -j ACCEPT',
]);

const program = (withSets: boolean) =>
  normalizeIptables(parseIptablesSave(RULES), { file: 'test.rules', ...(withSets ? { ipsets: parseIpsetSave(IPSETS, 'sets.txt') } : {}) });

test('-m set is resolved from ipset save output, nomatch entries and negation included', () => {
  const p = program(true);
  const probe = (from: string, to: string, proto: string, dport: number) => trace(p, { from, to, proto, dport });
  assert.equal(probe('192.0.2.3', '198.51.100.11', 'tcp', 22).verdict, 'accept');
  assert.equal(probe('192.0.2.9', '198.51.100.11', 'tcp', 22).verdict, 'drop', 'nomatch entry');
  assert.equal(probe('192.0.2.20', '198.51.100.11', 'tcp', 22).verdict, 'drop');
  assert.equal(probe('203.0.113.1', '198.51.100.11', 'tcp', 5061).decidedBy?.line, 6);
  assert.equal(probe('203.0.113.1', '198.51.100.11', 'udp', 3478).decidedBy?.line, 6);
  assert.equal(
    probe('203.0.113.1', '198.51.100.11', 'udp', 443).verdict,
    'drop',
    'bitmap:port matches udp/443 too, so the negation does not',
  );
  assert.equal(probe('203.0.113.1', '198.51.100.11', 'udp', 444).decidedBy?.line, 7);
  const mac = probe('203.0.113.1', '198.51.100.11', 'tcp', 80);
  assert.equal(mac.verdict, 'undetermined');
  assert.match(mac.reasons[0].why, /ipset weird is of type hash:mac/);
});

test('without the ipset file, set matches are undetermined and say what is missing', () => {
  const t = trace(program(false), { from: '192.0.2.3', to: '198.51.100.11', proto: 'tcp', dport: 22 });
  assert.equal(t.verdict, 'undetermined');
  assert.match(t.reasons[0].why, /members of ipset admins are not known/);
});

test('a malformed ipset file names its line', () => {
  assert.throws(
    () => parseIpsetSave('create a hash:ip\nadd b 192.0.2.1\n', 'sets.txt'),
    (e: unknown) => e instanceof InputError && /sets\.txt:2/.test(e.message),
  );
});
