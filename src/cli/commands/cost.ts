import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { regionFromEnvironment } from '../../aws/region.js';
import { natGatewayNeverBreaksEven } from '../../core/cost/break-even.js';
import { renderCostChart } from '../../core/cost/cost-chart.js';
import type { CostOption } from '../../core/cost/cost-option.js';
import {
  buildCostReport,
  type CostReport,
  costDocument,
  MAX_AZS,
  MAX_GB,
} from '../../core/cost/cost-report.js';
import { formatGb, formatUsd, formatUsdPerGb } from '../../core/cost/money.js';
import { HOURS_PER_MONTH } from '../../core/cost/monthly.js';
import type { PriceOverrides } from '../../core/cost/price-overrides.js';
import { InputError, StaticIpError } from '../../core/errors.js';
import type { CommandContext, RegisterCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { decimalNumber, wholeNumber } from '../options.js';
import { renderTable } from '../table.js';

/** The Region priced when neither --region nor AWS_REGION / AWS_DEFAULT_REGION says otherwise. */
const DEFAULT_COST_REGION = 'us-east-1';

interface CostOptions {
  readonly azs: number;
  readonly egressGb: number;
  readonly ingressGb: number;
  readonly spares: number;
  readonly prices?: string;
  readonly chart?: string;
}

const HELP = `
Prices every way to give Lambda static IPs, from a dated table of on-demand prices (no AWS calls):
  egress:  Elastic IPs on Hyperplane ENIs, NAT gateway per AZ / single / regional, NAT instance,
           IPv6 dual-stack (adds to one of those for vendors that accept IPv6), no static IP
  ingress: Global Accelerator -> ALB, NLB with pool IPs -> ALB
Data transfer out to the internet is the same with every egress strategy, so it is shown once, apart.
The Region comes from --region, else AWS_REGION or AWS_DEFAULT_REGION, else ${DEFAULT_COST_REGION}.
--prices FILE overrides any figure: {"asOf": "YYYY-MM-DD", "regions": {"us-east-1": {"natGatewayHourly": 0.05}}}
(the figure names are the keys of "prices" in --json). See docs/cost.md.

Examples:
  lambda-static-ip cost --azs 3 --egress-gb 500
  lambda-static-ip cost --region eu-west-1 --egress-gb 2000 --chart cost.svg
  lambda-static-ip cost --json --prices my-prices.json`;

/** `lambda-static-ip cost`: the cost advisor. */
export const registerCost: RegisterCommand = (program, run) => {
  program
    .command('cost')
    .description('Compare the monthly cost of every way to give Lambda static IPs (egress and ingress)')
    .option('--azs <n>', `Availability Zones the functions run in (1-${MAX_AZS})`, wholeNumber(1, MAX_AZS), 2)
    .option(
      '--egress-gb <gb>',
      'GB a month the functions send to the internet',
      decimalNumber(0, MAX_GB),
      100,
    )
    .option(
      '--ingress-gb <gb>',
      'GB a month through the ingress path, requests and responses',
      decimalNumber(0, MAX_GB),
      0,
    )
    .option('--spares <n>', 'spare Elastic IPs kept allow-listed for ENI switchover', wholeNumber(0, 1000), 0)
    .option('--prices <file>', 'JSON file overriding any price figure')
    .option('--chart <file.svg>', 'also write an SVG chart of monthly cost against egress GB')
    .addHelpText('after', HELP)
    .action(async (_options: unknown, command: Command) => {
      await run(command, (context) => cost(context, command.opts<CostOptions>()));
    });
};

async function cost(context: CommandContext, options: CostOptions): Promise<number> {
  const { env } = context.io;
  const region = context.globals.region ?? regionFromEnvironment(env)?.region ?? DEFAULT_COST_REGION;
  // Loaded here, not at start-up: it brings zod, which would otherwise slow every command down.
  const { resolvePrices } = await import('../../core/cost/price-overrides.js');
  const overrides = options.prices ? await readPriceOverrides(options.prices) : undefined;
  const resolved = resolvePrices(region, {
    ...(overrides ? { overrides } : {}),
    ...(options.prices ? { origin: options.prices } : {}),
  });
  const report = buildCostReport(
    { azs: options.azs, spares: options.spares, egressGb: options.egressGb, ingressGb: options.ingressGb },
    resolved,
  );
  if (options.chart) {
    if (!options.chart.toLowerCase().endsWith('.svg'))
      context.output.warn(`the chart is SVG, but "${options.chart}" does not end in .svg`);
    await writeChart(options.chart, renderCostChart(report));
    context.output.progress(`wrote the chart to ${options.chart}`);
  }
  context.output.result({ ...costDocument(report), ...(options.chart ? { chart: options.chart } : {}) }, () =>
    renderHuman(report, options),
  );
  return ExitCode.Ok;
}

async function readPriceOverrides(path: string): Promise<PriceOverrides> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError('PricesFileUnreadable', `cannot read the prices file "${path}"; check the path`, {
      cause: error,
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError('InvalidPricesFile', `prices file ${path} is not valid JSON; fix its syntax`, {
      cause: error,
    });
  }
  const { parsePriceOverrides } = await import('../../core/cost/price-overrides.js');
  return parsePriceOverrides(raw, path);
}

async function writeChart(path: string, svg: string): Promise<void> {
  try {
    await writeFile(path, svg, 'utf8');
  } catch (error) {
    const code = errorCode(error);
    const message = `cannot write the chart to "${path}"`;
    // A missing folder or a folder named as the file is a bad argument; anything else is a failure.
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
      throw new InputError('ChartNotWritten', `${message}; pass a file in an existing folder`, {
        cause: error,
      });
    }
    throw new StaticIpError('ChartNotWritten', message, { cause: error });
  }
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : String(error);
}

function renderHuman(report: CostReport, options: CostOptions): string {
  const { inputs, dataTransferOut: dto, recommendation } = report;
  const lines = [
    `Monthly cost of static IPs for Lambda in ${report.region}, prices as of ${report.pricesAsOf} (${HOURS_PER_MONTH} hours a month)`,
    `${inputs.azs} AZ(s), ${inputs.spares} spare IP(s), ${formatGb(inputs.egressGb)} egress and ${formatGb(inputs.ingressGb)} ingress a month`,
  ];
  if (report.overridden.length > 0) {
    lines.push(`Overridden by ${options.prices}: ${report.overridden.join(', ')}`);
  }
  lines.push('', table(report.options), '');
  lines.push(
    `Data transfer out to the internet, paid the same with every egress strategy (not in the rows above): ` +
      `${formatGb(dto.gb)} a month = ${formatUsd(dto.monthlyUsd)} ` +
      `(first ${formatGb(dto.freeGb)} free account-wide, then ${formatUsdPerGb(report.prices.dataTransferOutFirst10TbPerGb.value)} up to 10 TB)`,
  );
  const crossings = report.breakEven.filter((entry) => entry.kind === 'crosses');
  const never = natGatewayNeverBreaksEven(report.options, report.breakEven);
  lines.push('', 'Break-even:');
  if (never) lines.push(`  ${never}`);
  for (const entry of crossings) lines.push(`  ${entry.direction}: ${entry.summary}.`);
  const ipv6 = report.options.find((option) => option.traits.addressFamily === 'ipv6');
  lines.push('', `Recommendation: ${recommendation.egress.reason}`);
  if (ipv6) {
    lines.push(
      `IPv6: ${ipv6.label} adds ${formatUsd(ipv6.monthlyTotalUsd)} a month to the IPv4 choice, for vendors that accept IPv6; IPv4-only destinations still need the IPv4 choice.`,
    );
  }
  lines.push(
    `Ingress: ${recommendation.ingress.reason}`,
    '',
    'Full notes and every price with its source: --json. A chart: --chart FILE.svg.',
  );
  return lines.join('\n');
}

function table(options: readonly CostOption[]): string {
  const money = (values: readonly number[]) => {
    const texts = values.map(formatUsd);
    const width = Math.max(...texts.map((value) => value.length));
    return texts.map((value) => value.padStart(width));
  };
  const fixed = money(options.map((option) => option.monthlyFixedUsd));
  const variable = money(options.map((option) => option.monthlyVariableUsd));
  const total = money(options.map((option) => option.monthlyTotalUsd));
  return renderTable(
    ['Strategy', 'Direction', 'Fixed', 'Variable', 'Total', 'Notes'],
    options.map((option, index) => [
      option.label,
      option.direction,
      fixed[index] ?? '',
      variable[index] ?? '',
      total[index] ?? '',
      option.summary,
    ]),
  );
}
