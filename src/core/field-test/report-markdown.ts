import type { FieldTestReport, TimingMeasurement } from './report.js';

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

function timing(measurement: TimingMeasurement): string {
  if (measurement.status !== 'measured') return `${measurement.status}: ${measurement.reason}`;
  return `min ${seconds(measurement.minMs)}, median ${seconds(measurement.medianMs)}, max ${seconds(measurement.maxMs)} (${measurement.samplesMs.length} samples, ±${seconds(measurement.resolutionMs)})`;
}

/** The report as Markdown: the verdict first, then a row per scenario, the timings and the cleanup. */
export function renderFieldTestMarkdown(report: FieldTestReport): string {
  const lines = [
    `# lambda-static-ip field test ${report.runId}`,
    '',
    `**Egress from pool IPs: ${report.verdict.egressFromPoolIps}.** ${report.verdict.reasons.join('; ')}.`,
    '',
    `${report.mode === 'local' ? 'Local test bed (virtual time)' : 'AWS account'}, ${report.region}, ${report.startedAt} to ${report.finishedAt}. ` +
      `Invocations every ${seconds(report.settings.invokeIntervalMs)}, a reconcile every ${seconds(report.settings.reconcileIntervalMs)}.`,
    '',
    `Pool: ${report.poolIps.join(', ') || 'none'}`,
    '',
    '| Scenario | Status | Spares | Invocations | Downtime | Gaps | Addresses seen | ENI to serving |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...report.scenarios.map(
      (s) =>
        `| ${s.title} | ${s.status}${s.error ? `: ${s.error}` : ''} | ${s.spares} | ${s.invocations} | ${seconds(s.downtimeMs)} | ${s.gaps.length} | ${s.addressesSeen.join(', ') || '—'}${s.foreignAddresses.length > 0 ? ` (NOT in the pool: ${s.foreignAddresses.join(', ')})` : ''} | ${s.eniSwitchMs === undefined ? '—' : seconds(s.eniSwitchMs)} |`,
    ),
    '',
    ...report.scenarios.flatMap((s) =>
      s.keeper
        ? [
            `Keepers of ${s.id}: ${s.keeper.functions.join(', ')} (role ${s.keeper.role}), ready in ${seconds(s.keeper.readyMs)}; ` +
              `their ENIs ${s.keeper.enis.map((eni) => `${eni.networkInterfaceId} (${eni.publicIp ?? 'no IP'})`).join(', ')}; ` +
              `after the change the placement's ENIs were ${s.keeper.enisAfterChange.join(', ') || 'none'}, the function left from ${s.keeper.addressesAfterChange.join(', ') || 'nothing'}: ` +
              `${s.keeper.landedOnKeeperEnis ? "it landed on the keepers' ENIs" : "it did NOT land on the keepers' ENIs"}.`,
            '',
          ]
        : [],
    ),
    '## Timings the simulator estimates',
    '',
    '| Timing | Measured |',
    '| --- | --- |',
    `| ENI created until it serves (\`eniSwitchMs\`) | ${timing(report.timings.eniSwitchMs)} |`,
    `| CloudTrail event delivery (\`eventDelayMs\`) | ${timing(report.timings.eventDelayMs)} |`,
    `| ENI deletion after its last user (\`eniDeletionDelayMs\`) | ${timing(report.timings.eniDeletionDelayMs)} |`,
    '',
    'Replay them: `npm run bench -- --model <this report>.json`.',
    '',
  ];
  const notRun = report.notForceable;
  if (notRun.length > 0) {
    lines.push('## Not run', '', ...notRun.map((item) => `- ${item.id}: ${item.reason}`), '');
  }
  const notes = report.scenarios.flatMap((s) => s.notes.map((note) => `- ${s.id}: ${note}`));
  if (notes.length > 0) lines.push('## Notes', '', ...notes, '');
  lines.push(
    '## Cleanup',
    '',
    report.cleanup.complete
      ? 'Everything the run created is gone.'
      : `Left behind: ${report.cleanup.left.join('; ')}. Run \`lambda-static-ip field-test --cleanup --run-id ${report.runId}\` later.`,
  );
  if (report.cleanup.keptIps.length > 0) {
    lines.push('', `Kept (--keep-ips): ${report.cleanup.keptIps.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}
