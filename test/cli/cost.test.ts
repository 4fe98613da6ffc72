import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBinary } from '../support/cli.js';

interface Option {
  strategy: string;
  direction: string;
  monthlyFixedUsd: number;
  monthlyVariableUsd: number;
  monthlyTotalUsd: number;
  notes: string[];
}
interface CostJson {
  region: string;
  pricesAsOf: string;
  pricesOverridden: string[];
  inputs: Record<string, number>;
  dataTransferOut: { gb: number; monthlyUsd: number };
  options: Option[];
  breakEven: { direction: string; kind: string; strategies: string[]; gb: number | null }[];
  recommendation: { egress: { strategy: string; reason: string }; ingress: { strategy: string } };
  prices: Record<string, { value: number; source: string }>;
  chart?: string;
  error?: { code: string; message: string; exitCode: number };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lsi-cost-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function pricesFile(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function option(document: CostJson, strategy: string): Option {
  const found = document.options.find((candidate) => candidate.strategy === strategy);
  if (!found) throw new Error(`no option ${strategy}`);
  return found;
}

describe('lambda-static-ip cost', () => {
  it('prints a table, data transfer out once, the date of the prices and a recommendation', async () => {
    const run = await runBinary(['cost']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('in us-east-1, prices as of 20');
    expect(run.stdout).toMatch(/Strategy\s+Direction\s+Fixed\s+Variable\s+Total\s+Notes/);
    expect(run.stdout).toMatch(/NAT gateway per AZ\s+egress\s+\$73\.00\s+\$4\.50\s+\$77\.50/);
    expect(run.stdout).toMatch(/Hyperplane ENI Elastic IPs\s+egress\s+\$7\.30\s+\$0\.00\s+\$7\.30/);
    expect(run.stdout.match(/Data transfer out to the internet/g)).toHaveLength(1);
    expect(run.stdout).toContain('No NAT gateway ever breaks even on price');
    expect(run.stdout).toMatch(/^Recommendation: Hyperplane ENI Elastic IPs/m);
    expect(run.stdout).toMatch(
      /IPv6 dual-stack \(\/64s\)\s+egress\s+\$0\.00\s+\$0\.00\s+\$0\.00\s+vendor must accept IPv6/,
    );
    expect(run.stdout).toMatch(/^IPv6: IPv6 dual-stack \(\/64s\) adds \$0\.00 a month to the IPv4 choice/m);
  });

  it('--json prints exactly one document with every option and the required fields', async () => {
    const run = await runBinary(['cost', '--json', '--azs', '2', '--egress-gb', '100']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const document = run.json<CostJson>();
    expect(run.stdout.trim().startsWith('{')).toBe(true);
    expect(document.region).toBe('us-east-1');
    expect(document.pricesAsOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(document.inputs).toMatchObject({ azs: 2, spares: 0, egressGb: 100, ingressGb: 0 });
    expect(document.options.map((entry) => entry.strategy)).toEqual([
      'hyperplane-eip',
      'nat-instance',
      'nat-gateway-single',
      'nat-gateway-per-az',
      'nat-gateway-regional',
      'ipv6-dual-stack',
      'no-static-ip',
      'global-accelerator-alb',
      'nlb-pool-ips-alb',
    ]);
    for (const entry of document.options) {
      expect(['egress', 'ingress']).toContain(entry.direction);
      expect(typeof entry.monthlyFixedUsd).toBe('number');
      expect(typeof entry.monthlyVariableUsd).toBe('number');
      expect(entry.monthlyTotalUsd).toBeCloseTo(entry.monthlyFixedUsd + entry.monthlyVariableUsd, 2);
      expect(entry.notes.length).toBeGreaterThan(0);
    }
    // The hand-computed figures.
    expect(option(document, 'nat-gateway-per-az').monthlyFixedUsd).toBe(73);
    expect(option(document, 'hyperplane-eip').monthlyFixedUsd).toBe(7.3);
    expect(option(document, 'hyperplane-eip').notes.join(' ')).toContain(
      'not documented or supported by AWS',
    );
    expect(option(document, 'nat-instance').notes.join(' ')).toContain('minutes');
    expect(option(document, 'ipv6-dual-stack')).toMatchObject({ monthlyTotalUsd: 0, publicIps: 0 });
    expect(option(document, 'ipv6-dual-stack').notes.join(' ')).toMatch(
      /must accept IPv6.*IPv4-only destinations still need an IPv4 strategy/,
    );
    expect(document.dataTransferOut).toMatchObject({ gb: 100, monthlyUsd: 0 });
    expect(document.breakEven.some((entry) => entry.kind === 'crosses')).toBe(true);
    expect(document.recommendation.egress.strategy).toBe('hyperplane-eip');
    expect(document.recommendation.egress.strategy).not.toBe('no-static-ip');
    expect(document.prices.natGatewayHourly?.source).toContain('https://aws.amazon.com/');
  });

  it('prices the Region from --region, else AWS_REGION', async () => {
    const eu = (await runBinary(['cost', '--json', '--region', 'eu-west-1'])).json<CostJson>();
    expect(eu.region).toBe('eu-west-1');
    expect(option(eu, 'nat-gateway-per-az').monthlyFixedUsd).toBe(77.38); // 2 × (0.048 × 730 + 3.65)
    const sg = (
      await runBinary(['cost', '--json'], { env: { AWS_REGION: 'ap-southeast-1' } })
    ).json<CostJson>();
    expect(sg.region).toBe('ap-southeast-1');
    expect(option(sg, 'nat-gateway-per-az').monthlyVariableUsd).toBe(5.9); // 100 × 0.059
  });

  it('exits 2 for an unknown Region, naming the known ones', async () => {
    const run = await runBinary(['cost', '--region', 'mars-north-1']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('"mars-north-1"');
    expect(run.stderr).toContain('known: ap-southeast-1, eu-central-1, eu-west-1, us-east-1, us-west-2');
    const json = await runBinary(['cost', '--region', 'mars-north-1', '--json']);
    expect(json.code).toBe(2);
    expect(json.json<CostJson>().error).toMatchObject({ code: 'UnknownRegion', exitCode: 2 });
  });

  it('--prices overrides a figure, changes the result and says so', async () => {
    const path = await pricesFile('override.json', {
      asOf: '2027-01-15',
      regions: { 'us-east-1': { natGatewayHourly: 0.05 } },
    });
    const run = await runBinary(['cost', '--json', '--prices', path]);
    expect(run.code).toBe(0);
    const document = run.json<CostJson>();
    expect(option(document, 'nat-gateway-per-az').monthlyFixedUsd).toBe(80.3); // 2 × (0.05 × 730 + 3.65)
    expect(option(document, 'hyperplane-eip').monthlyFixedUsd).toBe(7.3);
    expect(document.pricesAsOf).toBe('2027-01-15');
    expect(document.pricesOverridden).toEqual(['natGatewayHourly']);
    expect(document.prices.natGatewayHourly).toMatchObject({ value: 0.05, source: `--prices ${path}` });
    const human = await runBinary(['cost', '--prices', path]);
    expect(human.stdout).toContain(`Overridden by ${path}: natGatewayHourly`);
  });

  it('--prices can price a Region the table does not know', async () => {
    const everyFigure = (await runBinary(['cost', '--json'])).json<CostJson>().prices;
    const figures = Object.fromEntries(
      Object.entries(everyFigure).map(([key, figure]) => [key, figure.value]),
    );
    const path = await pricesFile('new-region.json', { regions: { 'me-central-1': figures } });
    const run = await runBinary(['cost', '--json', '--region', 'me-central-1', '--prices', path]);
    expect(run.code).toBe(0);
    expect(option(run.json<CostJson>(), 'nat-gateway-per-az').monthlyFixedUsd).toBe(73);
  });

  it.each([
    [
      'an unknown figure',
      { regions: { 'us-east-1': { natGatewayHourley: 0.05 } } },
      'regions.us-east-1.natGatewayHourley',
    ],
    [
      'a negative value',
      { regions: { 'us-east-1': { albHourly: -0.5 } } },
      'regions.us-east-1.albHourly must be a number ≥ 0',
    ],
    ['a string value', { regions: { 'us-east-1': { albHourly: 'cheap' } } }, 'got "cheap"'],
    ['a bad Region key', { regions: { Virginia: {} } }, '"Virginia", which is not a Region name'],
    ['invalid JSON', '{ "regions": ', 'is not valid JSON'],
  ])('a prices file with %s exits 2 naming the problem', async (_case, content, message) => {
    const path = await pricesFile(`bad-${_case.replaceAll(' ', '-')}.json`, content);
    const run = await runBinary(['cost', '--prices', path]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(path);
    expect(run.stderr).toContain(message);
    const json = await runBinary(['cost', '--json', '--prices', path]);
    expect(json.code).toBe(2);
    expect(json.json<CostJson>().error?.code).toBe('InvalidPricesFile');
  });

  it('a missing prices file exits 2', async () => {
    const run = await runBinary(['cost', '--prices', join(dir, 'nope.json')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cannot read the prices file');
    expect(run.stderr).toContain('ENOENT');
  });

  it('--chart writes an SVG with a line per egress strategy, the legend and the break-even markers', async () => {
    const path = join(dir, 'cost.svg');
    const run = await runBinary(['cost', '--json', '--chart', path]);
    expect(run.code).toBe(0);
    expect(run.json<CostJson>().chart).toBe(path);
    expect(run.stderr).toContain(`wrote the chart to ${path}`);
    const svg = await readFile(path, 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<path class="strategy-line"/g)).toHaveLength(7);
    expect(svg.match(/class="legend-item"/g)).toHaveLength(7);
    for (const label of [
      'Hyperplane ENI Elastic IPs',
      'NAT gateway per AZ',
      'NAT instance per AZ',
      'No static IP (baseline)',
    ]) {
      expect(svg).toContain(`>${label}</text>`);
    }
    expect(svg).toContain('data-strategies="nat-gateway-single nat-gateway-per-az"');
    expect(svg).toContain('break-even: 3,650 GB a month, $237.25');
    expect(svg).toContain('No NAT gateway ever breaks even on price');
    expect(svg).toContain('your volume: 100 GB');
  });

  it('--chart into a folder that does not exist exits 2', async () => {
    const run = await runBinary(['cost', '--chart', join(dir, 'no-such-folder', 'cost.svg')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cannot write the chart');
    expect(run.stdout).toBe('');
  });

  it.each([
    [['--egress-gb', '-5'], "argument '-5' is invalid"],
    [['--egress-gb', 'lots'], 'expected a number, got "lots"'],
    [['--ingress-gb', '-0.5'], "argument '-0.5' is invalid"],
    [['--azs', '0'], 'must be 1-6, got 0'],
    [['--azs', '7'], 'must be 1-6, got 7'],
    [['--azs', '2.5'], 'expected a whole number, got "2.5"'],
    [['--spares', '-1'], "argument '-1' is invalid"],
  ])('bad flag %j exits 2 naming the value', async (flags, message) => {
    const run = await runBinary(['cost', ...flags]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
  });
});
