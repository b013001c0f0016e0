/** The hand-built programs of the engine and audit tests keep the contract too: points scoped by interface, jumps, undecided matches. */
import { test } from 'node:test';
import { ProgramBuilder } from '../helpers/program-builder';
import { assertProgramContract } from './program-contract';

test('a program with interface-scoped points, a jump, an undecided match and an undetermined target keeps the contract', () => {
  const program = new ProgramBuilder(4, 'built.policy')
    .chain(
      'wan-in',
      [
        { dst: '198.51.100.0/24', proto: 'tcp', dport: [80, 443], action: { jump: 'web' } },
        { src: '203.0.113.0/24', proto: 'udp', undecided: 'a schedule decides', action: 'accept' },
        { proto: 'tcp', dport: 22, action: { undetermined: 'a userspace program decides' } },
      ],
      { policy: 'drop' },
    )
    .chain('web', [{ src: '192.0.2.0/25', action: 'reject' }, { proto: 'tcp', dport: 443, action: 'accept' }, { action: 'return' }])
    .chain('lan-in', [{ out: 'wan', action: 'accept' }], { policy: 'drop' })
    .chain('self', [{ proto: 'icmp', action: 'accept' }], { policy: 'drop' })
    .point({ id: 'wan-in', traffic: 'forwarded', interfaces: { in: ['wan'] }, chains: ['wan-in'] })
    .point({ id: 'lan-in', traffic: 'forwarded', interfaces: { in: ['lan'] }, chains: ['lan-in'] })
    .point({ id: 'self', traffic: 'inbound', chains: ['self'] })
    .build(['lan', 'wan']);
  assertProgramContract(program, { seed: 7, randomProbes: 200 });
});
