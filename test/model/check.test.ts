/** The vendor-neutral program check: what no normalizer may hand the engine, as located problems. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgramBuilder } from '../helpers/program-builder';
import { checkProgram } from '../../src/model/check';

const messages = (b: ProgramBuilder) => checkProgram(b.build()).map((d) => [d.location.line ?? null, d.message]);

test('a jump to a chain that does not exist, and a stage without its chain, are located', () => {
  const b = new ProgramBuilder(4, 'x.policy')
    .chain('in', [{ action: 'accept' }, { proto: 'tcp', action: { jump: 'nowhere' } }], { policy: 'drop' })
    .point({ id: 'in', traffic: 'inbound', chains: ['in', 'missing'] });
  assert.deepEqual(messages(b), [
    [null, 'enforcement point in runs chain missing, which the configuration does not define'],
    [2, 'the rule continues in chain nowhere, which the configuration does not define'],
  ]);
});

test('a loop packets can enter is refused at the rule that closes it; one they cannot enter is harmless', () => {
  const looping = new ProgramBuilder(4)
    .chain('in', [{ action: { jump: 'a' } }], { policy: 'drop' })
    .chain('a', [{ proto: 'udp', action: { jump: 'b' } }])
    .chain('b', [{ proto: 'udp', action: { goto: 'a' } }])
    .point({ id: 'in', traffic: 'inbound', chains: ['in'] });
  assert.deepEqual(messages(looping), [[4, 'chain a leads back into itself through this rule (a loop, which the firewall refuses)']]);
  const unreachable = new ProgramBuilder(4)
    .chain('in', [], { policy: 'drop' })
    .chain('a', [{ action: { jump: 'b' } }])
    .chain('b', [{ action: { jump: 'a' } }])
    .point({ id: 'in', traffic: 'inbound', chains: ['in'] });
  assert.deepEqual(messages(unreachable), []);
});

test('a chain nested thousands deep is checked without exhausting the stack', () => {
  const b = new ProgramBuilder(4).chain('in', [{ action: { jump: 'c0' } }], { policy: 'drop' });
  for (let i = 0; i < 20000; i++) b.chain(`c${i}`, [{ action: i + 1 < 20000 ? { jump: `c${i + 1}` } : 'accept' }]);
  b.point({ id: 'in', traffic: 'inbound', chains: ['in'] });
  assert.deepEqual(messages(b), []);
});

test('points of one traffic kind overlap unless interfaces or variants keep them apart', () => {
  const b = new ProgramBuilder(4)
    .chain('x', [], { policy: 'drop' })
    .point({ id: 'lan-in', traffic: 'forwarded', interfaces: { in: ['lan'] }, chains: ['x'] })
    .point({ id: 'wan-in', traffic: 'forwarded', interfaces: { in: ['wan'] }, chains: ['x'] })
    .point({ id: 'any-out', traffic: 'forwarded', interfaces: { out: ['dmz'] }, chains: ['x'] })
    .point({ id: 'domain', traffic: 'inbound', variant: 'domain', chains: ['x'] })
    .point({ id: 'public', traffic: 'inbound', variant: 'public', chains: ['x'] })
    .point({ id: 'always', traffic: 'inbound', chains: ['x'] })
    .point({ id: 'always', traffic: 'outbound', chains: ['x'] });
  assert.deepEqual(messages(b), [
    [null, 'two enforcement points are both named always'],
    [null, 'enforcement points lan-in and any-out both see the same forwarded packets'],
    [null, 'enforcement points wan-in and any-out both see the same forwarded packets'],
    [null, 'enforcement points domain and always both see the same inbound packets'],
    [null, 'enforcement points public and always both see the same inbound packets'],
  ]);
});
