import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeXml, niceTicks, renderCostChart, wrap } from '../../../src/core/cost/cost-chart.js';
import { EGRESS_STRATEGIES } from '../../../src/core/cost/cost-option.js';
import { buildCostReport, type CostReport } from '../../../src/core/cost/cost-report.js';
import { parsePriceOverrides, resolvePrices } from '../../../src/core/cost/price-overrides.js';

const issueCase = { azs: 2, spares: 0, egressGb: 100, ingressGb: 0 };
const report = buildCostReport(issueCase, resolvePrices('us-east-1'));
const svg = renderCostChart(report);

function count(haystack: string, needle: string | RegExp): number {
  return haystack.split(needle).length - 1;
}

/** Enough well-formedness to catch broken string building: balanced elements, no stray markup or NaN. */
function expectWellFormed(document: string): void {
  expect(document.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  expect(document.trimEnd().endsWith('</svg>')).toBe(true);
  for (const element of ['text', 'g', 'title']) {
    expect(count(document, `<${element} `) + count(document, `<${element}>`)).toBe(
      count(document, `</${element}>`),
    );
  }
  expect(document).not.toMatch(/&(?!amp;|lt;|gt;|quot;|apos;)/);
  expect(document).not.toMatch(/NaN|Infinity|undefined/);
  for (const content of document.matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g))
    expect(content[1]).not.toMatch(/[<>]/);
}

describe('renderCostChart', () => {
  it('is a standalone, well-formed SVG document', () => {
    expectWellFormed(svg);
  });

  it('draws one line per egress strategy, and data transfer out as a separate reference line', () => {
    const strategies = [...svg.matchAll(/<path class="strategy-line" data-strategy="([^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(strategies.sort()).toEqual([...EGRESS_STRATEGIES].sort());
    expect(count(svg, 'class="dto-line"')).toBe(1);
    expect(svg).not.toContain('global-accelerator');
  });

  it('has a legend entry per strategy with its label, its cost formula and its caveat', () => {
    expect(count(svg, 'class="legend-item"')).toBe(EGRESS_STRATEGIES.length);
    for (const label of [
      'IPv6 dual-stack (/64s)',
      'Hyperplane ENI Elastic IPs',
      'NAT instance per AZ',
      'NAT gateway, single',
      'NAT gateway per AZ',
      'NAT gateway, regional',
      'No static IP (baseline)',
      'Data transfer out',
    ]) {
      expect(svg).toContain(`>${escapeXml(label)}</text>`);
    }
    expect(svg).toContain('>$73.00 + $0.045/GB</text>');
    expect(svg).toContain('not supported by AWS; keep spares or ENI churn has gaps');
    expect(svg).toContain('minutes down on replacement; you patch it');
    expect(svg).toContain('vendor must accept IPv6; IPv4-only needs IPv4 too');
  });

  it('circles the break-even where the per-AZ and regional gateways overtake the single one, and labels it', () => {
    const circles = [...svg.matchAll(/<circle class="break-even" data-strategies="([^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(circles.sort()).toEqual([
      'nat-gateway-single nat-gateway-per-az',
      'nat-gateway-single nat-gateway-regional',
    ]);
    expect(svg).toContain('break-even: 3,650 GB a month, $237.25');
  });

  it('says plainly that no NAT gateway breaks even on price', () => {
    expect(svg).toContain('class="never-breaks-even"');
    expect(svg).toContain('No NAT gateway ever breaks even on price: Hyperplane ENI Elastic');
  });

  it('marks the user’s volume, the Region and the date of the prices', () => {
    expect(svg).toContain('class="your-volume"');
    expect(svg).toContain('your volume: 100 GB');
    expect(svg).toContain(`us-east-1 · 2 AZs · 0 spare IPs · prices as of ${report.pricesAsOf}`);
  });

  it('spans at least 5,000 GB, and twice a larger volume', () => {
    expect(svg).toContain('>5,000</text>');
    const big = renderCostChart(
      buildCostReport({ ...issueCase, egressGb: 40_000 }, resolvePrices('us-east-1')),
    );
    expect(big).toContain('>80,000</text>');
  });

  it('lists a break-even that lies far beyond the chart instead of drawing it', () => {
    const overrides = parsePriceOverrides({ regions: { 'us-east-1': { interAzPerGb: 0.0001 } } }, 'p.json');
    const far = renderCostChart(buildCostReport(issueCase, resolvePrices('us-east-1', { overrides })));
    expect(far).not.toContain('class="break-even"');
    expect(far).toContain('above 730,000 GB a');
    expect(far).toContain(
      'Beyond this chart: NAT gateway per AZ and NAT gateway, regional cost less than NAT gateway, single',
    );
    expect(far).toContain('figure(s) overridden');
  });

  it('escapes every text it draws', () => {
    const hostile: CostReport = {
      ...report,
      options: report.options.map((option) => ({
        ...option,
        label: `<b>${option.label} & "co"</b>`,
        summary: "it's <i>",
      })),
    };
    const drawn = renderCostChart(hostile);
    expectWellFormed(drawn);
    expect(drawn).toContain('&lt;b&gt;Hyperplane ENI Elastic IPs &amp; &quot;co&quot;&lt;/b&gt;');
    expect(drawn).toContain('it&apos;s &lt;i&gt;');
    expect(escapeXml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
  });

  it('stays well-formed for any inputs (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 50 }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.constantFrom('us-east-1', 'eu-west-1', 'ap-southeast-1'),
        (azs, spares, egressGb, region) => {
          const drawn = renderCostChart(
            buildCostReport({ azs, spares, egressGb, ingressGb: 0 }, resolvePrices(region)),
          );
          expectWellFormed(drawn);
          expect(count(drawn, 'class="strategy-line"')).toBe(EGRESS_STRATEGIES.length);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('chart helpers', () => {
  it('niceTicks steps by 1, 2, 2.5 or 5 × 10ⁿ and covers the maximum', () => {
    expect(niceTicks(5000)).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    expect(niceTicks(440)).toEqual([0, 100, 200, 300, 400, 500]);
    expect(niceTicks(0)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 1e12, noNaN: true }), (max) => {
        const ticks = niceTicks(max);
        expect(ticks[0]).toBe(0);
        expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(max * (1 - 1e-9));
        expect(ticks.length).toBeGreaterThanOrEqual(4);
        expect(ticks.length).toBeLessThanOrEqual(11);
      }),
    );
  });

  it('wrap keeps words whole and lines short', () => {
    expect(wrap('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(wrap('', 9)).toEqual([]);
  });
});
