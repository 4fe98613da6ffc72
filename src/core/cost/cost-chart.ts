import { type BreakEven, natGatewayNeverBreaksEven, totalAt } from './break-even.js';
import type { CostOption, EgressStrategy } from './cost-option.js';
import type { CostReport } from './cost-report.js';
import { dataTransferOut, TIER_ENDS_GB } from './data-transfer-out.js';
import { formatGb, formatUsd, formatUsdPerGb } from './money.js';

/**
 * Draws monthly cost against egress GB for every egress strategy as a standalone SVG document:
 * one straight line per strategy (fixed + per-GB), data transfer out as a grey reference line, the
 * break-even points circled and labelled, the user's volume as a vertical line, and each strategy's
 * caveat in the legend, so the chart shows the trade-off and not only the price. Pure string building.
 */
export function renderCostChart(report: CostReport): string {
  const options = report.options.filter((option) => option.direction === 'egress');
  const crossings = report.breakEven.filter(
    (entry) => entry.direction === 'egress' && entry.kind === 'crosses',
  );
  const xMax = xDomainMax(report.inputs.egressGb, crossings);
  const xTicks = niceTicks(xMax);
  const xEnd = xTicks[xTicks.length - 1] ?? xMax;
  const dto = (gb: number) => dataTransferOut(gb, report.prices).monthlyUsd;
  const yTop = Math.max(dto(xEnd), ...options.map((option) => totalAt(option, xEnd)), 1);
  const yTicks = niceTicks(yTop);
  const yEnd = yTicks[yTicks.length - 1] ?? yTop;

  const x = (gb: number) => PLOT.left + (gb / xEnd) * (PLOT.right - PLOT.left);
  const y = (usd: number) => PLOT.bottom - (usd / yEnd) * (PLOT.bottom - PLOT.top);
  const byStrategy = new Map(options.map((option) => [option.strategy, option]));
  const visible = crossings.filter((entry) => entry.gb !== null && entry.gb <= xEnd);
  const beyond = crossings.filter((entry) => entry.gb !== null && entry.gb > xEnd);
  const never = natGatewayNeverBreaksEven(options, report.breakEven);

  const legendTop = PLOT.bottom + 62;
  const notesTop = legendTop + (options.length + 1) * LEGEND_ROW + 14;
  const beyondLines = groupByPoint(beyond).flatMap((group) =>
    wrap(`Beyond this chart: ${crossingSentence(group, byStrategy)}.`, 120),
  );
  const height = notesTop + beyondLines.length * NOTE_ROW + 16;
  const { inputs } = report;
  const ends = [
    ...options.map((option) => ({
      label: option.label,
      y: y(totalAt(option, xEnd)),
      color: styleOf(option).color,
    })),
    { label: 'Data transfer out', y: y(dto(xEnd)), color: DTO_STYLE.color },
  ];

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="${FONT}" font-size="13">`,
    `<title>${escapeXml(`Monthly cost of static egress IPs for Lambda in ${report.region}`)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    text(PLOT.left, 30, 'Static egress IPs for Lambda: monthly cost by traffic', {
      size: 18,
      weight: 'bold',
    }),
    text(
      PLOT.left,
      52,
      `${report.region} · ${inputs.azs} AZ${inputs.azs === 1 ? '' : 's'} · ${inputs.spares} spare IP${inputs.spares === 1 ? '' : 's'} · prices as of ${report.pricesAsOf}` +
        (report.overridden.length > 0 ? ` (${report.overridden.length} figure(s) overridden)` : ''),
      { fill: '#444' },
    ),
    text(
      PLOT.left,
      70,
      'Lines leave out data transfer out to the internet (grey dashes): every strategy pays it.',
      {
        fill: '#444',
      },
    ),
    ...axes(xTicks, yTicks, x, y),
    dtoPath(report, xEnd, x, y),
    ...options.map((option) => strategyPath(option, xEnd, x, y)),
    ...endLabels(ends),
    yourVolume(inputs.egressGb, x),
    ...(never ? [callout([never, NAT_GATEWAY_BUYS])] : []),
    ...groupByPoint(visible).map((group, index) => breakEvenMarker(group, index, byStrategy, x, y)),
    ...legend(options, report, legendTop),
    ...beyondLines.map((line, index) => text(PLOT.left, notesTop + index * NOTE_ROW, line, { cls: 'note' })),
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
}

const WIDTH = 960;
const PLOT = { left: 90, right: 760, top: 96, bottom: 470 } as const;
const LEGEND_ROW = 22;
const NOTE_ROW = 20;
const LABEL_GAP = 15;
const NAT_GATEWAY_BUYS =
  'What a NAT gateway buys instead is AWS support and no gap on failure; the legend says what each cheaper line gives up.';
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

interface LineStyle {
  readonly color: string;
  readonly dash?: string;
  readonly width: number;
}

/**
 * Colour-blind-safe palette (Okabe-Ito); the regional gateway is dashed because it often lies on the per-AZ line,
 * IPv6 dotted because it lies on the baseline at $0.
 */
const STYLES: Readonly<Record<EgressStrategy, LineStyle>> = {
  'hyperplane-eip': { color: '#009E73', width: 3 },
  'nat-instance': { color: '#E69F00', width: 2.5 },
  'nat-gateway-single': { color: '#CC79A7', width: 2.5 },
  'nat-gateway-per-az': { color: '#D55E00', width: 2.5 },
  'nat-gateway-regional': { color: '#0072B2', dash: '9 6', width: 2.5 },
  'ipv6-dual-stack': { color: '#56B4E9', dash: '1 3', width: 3 },
  'no-static-ip': { color: '#000000', dash: '2 4', width: 1.5 },
};
const DTO_STYLE: LineStyle = { color: '#999999', dash: '6 4', width: 2 };

function styleOf(option: CostOption): LineStyle {
  return STYLES[option.strategy as EgressStrategy] ?? { color: '#000000', width: 2 };
}

/** The chart's right edge: at least 5,000 GB and twice the user's volume, stretched to show nearby crossings. */
function xDomainMax(egressGb: number, crossings: readonly BreakEven[]): number {
  const base = Math.max(5000, egressGb * 2);
  const near = crossings
    .map((entry) => entry.gb ?? 0)
    .filter((gb) => gb > base && gb <= base * 4)
    .map((gb) => gb * 1.15);
  return Math.max(base, ...near);
}

/** Ticks 0, step, 2·step… covering `max`, with a step of 1, 2, 2.5 or 5 × 10ⁿ giving about 5–8 ticks. */
export function niceTicks(max: number): number[] {
  const safeMax = max > 0 && Number.isFinite(max) ? max : 1;
  const rough = safeMax / 6;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((factor) => factor * magnitude >= rough) ?? 10) * magnitude;
  const count = Math.ceil(safeMax / step - 1e-9);
  return Array.from({ length: count + 1 }, (_, index) => round(index * step));
}

function axes(
  xTicks: readonly number[],
  yTicks: readonly number[],
  x: (gb: number) => number,
  y: (usd: number) => number,
): string[] {
  const parts: string[] = [];
  for (const tick of yTicks) {
    parts.push(
      `<line class="grid" x1="${PLOT.left}" y1="${n(y(tick))}" x2="${PLOT.right}" y2="${n(y(tick))}" stroke="#e5e5e5"/>`,
      text(PLOT.left - 8, y(tick) + 4, `$${tick.toLocaleString('en-US')}`, { anchor: 'end', cls: 'y-tick' }),
    );
  }
  for (const tick of xTicks) {
    parts.push(
      `<line x1="${n(x(tick))}" y1="${PLOT.bottom}" x2="${n(x(tick))}" y2="${PLOT.bottom + 5}" stroke="#333"/>`,
      text(x(tick), PLOT.bottom + 20, tick.toLocaleString('en-US'), { anchor: 'middle', cls: 'x-tick' }),
    );
  }
  parts.push(
    `<line x1="${PLOT.left}" y1="${PLOT.bottom}" x2="${PLOT.right}" y2="${PLOT.bottom}" stroke="#333"/>`,
    `<line x1="${PLOT.left}" y1="${PLOT.top}" x2="${PLOT.left}" y2="${PLOT.bottom}" stroke="#333"/>`,
    text((PLOT.left + PLOT.right) / 2, PLOT.bottom + 42, 'Egress to the internet, GB per month', {
      anchor: 'middle',
      cls: 'axis-label',
    }),
    `<text class="axis-label" transform="translate(24 ${n((PLOT.top + PLOT.bottom) / 2)}) rotate(-90)" text-anchor="middle">USD per month</text>`,
  );
  return parts;
}

function strategyPath(
  option: CostOption,
  xEnd: number,
  x: (gb: number) => number,
  y: (usd: number) => number,
) {
  const style = styleOf(option);
  const d = `M${n(x(0))} ${n(y(totalAt(option, 0)))} L${n(x(xEnd))} ${n(y(totalAt(option, xEnd)))}`;
  return `<path class="strategy-line" data-strategy="${escapeXml(option.strategy)}" d="${d}" ${stroke(style)}/>`;
}

/** Data transfer out is tiered, so it is drawn through its breakpoints. */
function dtoPath(report: CostReport, xEnd: number, x: (gb: number) => number, y: (usd: number) => number) {
  const breakpoints = [0, report.prices.dataTransferOutFreeGb.value, ...TIER_ENDS_GB, xEnd]
    .filter((gb) => gb <= xEnd)
    .sort((a, b) => a - b);
  const d = breakpoints
    .map(
      (gb, index) =>
        `${index === 0 ? 'M' : 'L'}${n(x(gb))} ${n(y(dataTransferOut(gb, report.prices).monthlyUsd))}`,
    )
    .join(' ');
  return `<path class="dto-line" d="${d}" ${stroke(DTO_STYLE)}/>`;
}

function yourVolume(egressGb: number, x: (gb: number) => number): string {
  const at = n(x(egressGb));
  return [
    `<g class="your-volume">`,
    `<line x1="${at}" y1="${PLOT.top}" x2="${at}" y2="${PLOT.bottom}" stroke="#333" stroke-dasharray="3 3"/>`,
    text(x(egressGb) + 5, PLOT.top + 12, `your volume: ${formatGb(egressGb)}`, { fill: '#333', halo: true }),
    `</g>`,
  ].join('\n');
}

/** Crossings at the same point (two lines that coincide crossing a third) share one marker. */
function groupByPoint(entries: readonly BreakEven[]): BreakEven[][] {
  const groups = new Map<string, BreakEven[]>();
  for (const entry of entries) {
    const key = `${(entry.gb ?? 0).toFixed(3)}|${(entry.monthlyUsd ?? 0).toFixed(3)}`;
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  return [...groups.values()];
}

/** `B and C cost less than A above 3,650 GB a month ($237.25)`, for crossings at one point. */
function crossingSentence(
  group: readonly BreakEven[],
  byStrategy: ReadonlyMap<string, CostOption>,
  withPoint = true,
): string {
  const label = (strategy: string) => byStrategy.get(strategy)?.label ?? strategy;
  const cheaperAtZero = [...new Set(group.map((entry) => label(entry.strategies[0])))].join(' and ');
  const cheaperAbove = [...new Set(group.map((entry) => label(entry.strategies[1])))];
  const verb = cheaperAbove.length > 1 ? 'cost' : 'costs';
  const first = group[0];
  const point = first
    ? ` above ${formatGb(first.gb ?? 0)} a month (${formatUsd(first.monthlyUsd ?? 0)})`
    : '';
  return `${cheaperAbove.join(' and ')} ${verb} less than ${cheaperAtZero}${withPoint ? point : ''}`;
}

function breakEvenMarker(
  group: readonly BreakEven[],
  index: number,
  byStrategy: ReadonlyMap<string, CostOption>,
  x: (gb: number) => number,
  y: (usd: number) => number,
): string {
  const first = group[0];
  const gb = first?.gb ?? 0;
  const usd = first?.monthlyUsd ?? 0;
  const cx = x(gb);
  const cy = y(usd);
  // Labels go left of points in the right half, and step up so neighbouring crossings do not collide.
  const leftSide = cx > (PLOT.left + PLOT.right) / 2;
  const labelX = leftSide ? cx - 10 : cx + 10;
  const anchor = leftSide ? 'end' : 'start';
  const lines = [
    `break-even: ${formatGb(gb)} a month, ${formatUsd(usd)}`,
    ...wrap(`above it ${crossingSentence(group, byStrategy, false)}`, 46),
  ];
  const firstY = Math.max(PLOT.top + 30, cy - 14 - (lines.length - 1) * 15 - index * 60);
  const lastY = firstY + (lines.length - 1) * 15;
  return [
    `<g class="break-even-point">`,
    // A leader from the label down to its point: labels stack upward when crossings lie close together.
    `<line x1="${n(cx)}" y1="${n(cy - 6)}" x2="${n(labelX)}" y2="${n(lastY + 4)}" stroke="#555555" stroke-width="1"/>`,
    ...group.map(
      (entry) =>
        `<circle class="break-even" data-strategies="${escapeXml(entry.strategies.join(' '))}" cx="${n(cx)}" cy="${n(cy)}" r="6" fill="#ffffff" stroke="#000000" stroke-width="2"/>`,
    ),
    ...lines.map((line, lineIndex) =>
      text(labelX, firstY + lineIndex * 15, line, {
        anchor,
        weight: lineIndex === 0 ? 'bold' : 'normal',
        size: lineIndex === 0 ? 13 : 12,
        halo: true,
      }),
    ),
    `</g>`,
  ].join('\n');
}

/** Names each line at its right end, nudged apart so labels of lines ending close together stay legible. */
function endLabels(ends: readonly { label: string; y: number; color: string }[]): string[] {
  const sorted = [...ends].sort((a, b) => a.y - b.y);
  const placed: number[] = [];
  for (const end of sorted) {
    const previous = placed[placed.length - 1];
    placed.push(previous === undefined ? end.y : Math.max(end.y, previous + LABEL_GAP));
  }
  // Labels pushed below the axis move back up as a block.
  const overflow = (placed[placed.length - 1] ?? 0) - (PLOT.bottom + 4);
  const shifted = overflow > 0 ? placed.map((value) => value - overflow) : placed;
  return sorted.map((end, index) => {
    const labelY = shifted[index] ?? end.y;
    return [
      `<g class="end-label">`,
      `<line x1="${PLOT.right}" y1="${n(end.y)}" x2="${PLOT.right + 8}" y2="${n(labelY)}" stroke="${end.color}"/>`,
      text(PLOT.right + 11, labelY + 4, end.label, {
        fill: end.color === '#999999' ? '#666666' : end.color,
        size: 12,
      }),
      `</g>`,
    ].join('\n');
  });
}

/** A boxed note in the plot's top-left corner, which every cost line leaves empty (they all rise to the right). */
function callout(paragraphs: readonly string[]): string {
  const lines = paragraphs.flatMap((paragraph, index) =>
    wrap(paragraph, 64).map((line) => ({ line, bold: index === 0 })),
  );
  const left = PLOT.left + 12;
  const top = PLOT.top + 26;
  const box = `<rect x="${left}" y="${top}" width="${470}" height="${lines.length * 17 + 14}" rx="4" fill="#ffffff" fill-opacity="0.92" stroke="#bbbbbb"/>`;
  return [
    `<g class="never-breaks-even">`,
    box,
    ...lines.map((entry, index) =>
      text(left + 10, top + 20 + index * 17, entry.line, {
        weight: entry.bold ? 'bold' : 'normal',
        size: 12,
      }),
    ),
    `</g>`,
  ].join('\n');
}

/** Greedy word wrap to at most `width` characters a line. */
export function wrap(paragraph: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of paragraph.split(/\s+/).filter(Boolean)) {
    if (current && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  if (current) lines.push(current);
  return lines;
}

function legend(options: readonly CostOption[], report: CostReport, top: number): string[] {
  const rows = options.map((option, index) => {
    const rowY = top + index * LEGEND_ROW;
    const cost = `${formatUsd(option.monthlyFixedUsd)} + ${formatUsdPerGb(option.perGbUsd)}`;
    return [
      `<g class="legend-item" data-strategy="${escapeXml(option.strategy)}">`,
      `<line x1="${PLOT.left}" y1="${rowY - 4}" x2="${PLOT.left + 34}" y2="${rowY - 4}" ${stroke(styleOf(option))}/>`,
      text(PLOT.left + 44, rowY, option.label, { weight: 'bold' }),
      text(PLOT.left + 260, rowY, cost),
      text(PLOT.left + 440, rowY, option.summary, { fill: '#444' }),
      `</g>`,
    ].join('\n');
  });
  const dtoY = top + options.length * LEGEND_ROW;
  rows.push(
    [
      `<g class="legend-item legend-dto">`,
      `<line x1="${PLOT.left}" y1="${dtoY - 4}" x2="${PLOT.left + 34}" y2="${dtoY - 4}" ${stroke(DTO_STYLE)}/>`,
      text(PLOT.left + 44, dtoY, 'Data transfer out', { weight: 'bold' }),
      text(PLOT.left + 260, dtoY, `${formatGb(report.prices.dataTransferOutFreeGb.value)} free, then tiered`),
      text(PLOT.left + 440, dtoY, 'paid on top, the same with every strategy', { fill: '#444' }),
      `</g>`,
    ].join('\n'),
  );
  return rows;
}

function text(
  x: number,
  y: number,
  content: string,
  options: {
    anchor?: string;
    size?: number;
    weight?: string;
    fill?: string;
    cls?: string;
    halo?: boolean;
  } = {},
): string {
  const attributes = [
    options.cls ? `class="${options.cls}"` : '',
    `x="${n(x)}"`,
    `y="${n(y)}"`,
    options.anchor ? `text-anchor="${options.anchor}"` : '',
    options.size ? `font-size="${options.size}"` : '',
    options.weight && options.weight !== 'normal' ? `font-weight="${options.weight}"` : '',
    `fill="${options.fill ?? '#111111'}"`,
    // A white outline drawn under the glyphs keeps labels legible where they cross lines.
    options.halo ? 'stroke="#ffffff" stroke-width="4" stroke-linejoin="round" paint-order="stroke"' : '',
  ].filter(Boolean);
  return `<text ${attributes.join(' ')}>${escapeXml(content)}</text>`;
}

function stroke(style: LineStyle): string {
  return `fill="none" stroke="${style.color}" stroke-width="${style.width}"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''} stroke-linecap="round"`;
}

/** Escapes text for XML content and attribute values. */
export function escapeXml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
