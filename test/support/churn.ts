import { expect, it } from 'vitest';
import {
  ChurnAccount,
  type ChurnScenario,
  churnConfigs,
  describeChurnConfig,
  type LocalAws,
  runChurnScenario,
} from '../../testbed/index.js';

/**
 * One test per configuration of the scenario, with the default draw of timings: no IP taken off a
 * serving ENI, convergence, downtime within the bound the design gives for this draw (worked out from the
 * scenario's declared needs, not from the run; 0 where keepers create the new ENIs ahead), a deployment
 * with keepers rolled back exactly when the pool cannot bind the new ENIs, and the allow-list kept as a set: the same IPs without
 * allocation; with it, every old IP kept and no more new ones than the change needs.
 */
export function churnTests(localAws: () => LocalAws, scenario: ChurnScenario): void {
  let account: ChurnAccount | undefined;
  it.each(churnConfigs(scenario).map((config) => [describeChurnConfig(config), config] as const))(
    'with %s: never takes an IP off a serving ENI, converges, and stays within its downtime bound',
    async (_label, config) => {
      account ??= new ChurnAccount(localAws());
      const result = await runChurnScenario(account, scenario, config);
      expect(result.ipsTakenFromServingEnis).toBe(0);
      expect(result.quiescent).toBe(true);
      expect(result.converged).toBe(true);
      expect(result.downtimeMs).toBeLessThanOrEqual(result.boundMs);
      // With keepers, a deployment fails at the wait exactly when the pool cannot bind the new ENIs.
      const poolCannotServe = !config.allocate && config.spares < scenario.needs.newEnis;
      expect(result.rolledBack).toBe(config.keepers && scenario.movesTo !== undefined && poolCannotServe);
      const before = new Set(result.poolIpsBefore);
      const after = new Set(result.poolIpsAfter);
      if (config.allocate) {
        expect([...before].filter((ip) => !after.has(ip))).toEqual([]);
        expect(after.size - before.size).toBeLessThanOrEqual(scenario.needs.newEnis);
      } else {
        expect(after).toEqual(before);
      }
    },
  );
}
