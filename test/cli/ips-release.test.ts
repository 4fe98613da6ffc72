import { describe, expect, it } from 'vitest';
import { POOL, useEgressWorld } from '../support/egress-world.js';

const world = useEgressWorld();
const { cli, addresses, createPoolFunctions } = world;

describe('ips and release', () => {
  it('prints the allow-list sorted, as text, CIDR or JSON', async () => {
    await createPoolFunctions();
    await cli(['apply', '--pool', POOL, '--allocate', '--spares', '1', '--yes']);
    const text = (await cli(['ips', '--pool', POOL])).stdout.trim().split('\n');
    // Every pool address, each once.
    expect(new Set(text)).toEqual(new Set((await addresses()).map((a) => a.PublicIp)));
    expect(text).toHaveLength(3);
    const numeric = (ip: string) => ip.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
    expect([...text].sort((a, b) => numeric(a) - numeric(b))).toEqual(text);
    expect((await cli(['ips', '--pool', POOL, '--format', 'cidr'])).stdout.trim().split('\n')).toEqual(
      text.map((ip) => `${ip}/32`),
    );
    expect((await cli(['ips', '--pool', POOL, '--json'])).json<{ ips: string[] }>().ips).toEqual(text);
  });

  it('releases only with --yes, disassociating first, and refuses an IP outside the pool', async () => {
    await createPoolFunctions();
    await cli(['apply', '--pool', POOL, '--allocate', '--yes']);
    const [ip, kept] = (await cli(['ips', '--pool', POOL])).stdout.trim().split('\n');

    const outside = await cli(['release', '--pool', POOL, '--ip', '192.0.2.1', '--yes']);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/192.0.2.1 is not an IP of pool "shop".*nothing was released/);

    const run = await cli(['release', '--pool', POOL, '--ip', ip as string, '--yes', '--json']);
    expect(run.code).toBe(0);
    expect(run.json<{ released: Array<{ publicIp: string }> }>().released.map((r) => r.publicIp)).toEqual([
      ip,
    ]);
    // Exactly the named IP went; the other stays.
    expect((await addresses()).map((a) => a.PublicIp)).toEqual([kept]);
  });
});
