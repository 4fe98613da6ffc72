import { Command } from 'commander';
import type { AuditReport, Finding, Ipv6Check } from '../../core/audit.js';
import type { RegisterCommand } from '../command.js';
import { firstFailure } from '../error-document.js';
import { ExitCode } from '../exit-codes.js';
import { wholeNumber } from '../options.js';
import type { Output } from '../output.js';
import {
  addPoolOptions,
  addReserveOption,
  type ReserveCommandOptions,
  reconcileRequest,
} from '../pool-options.js';
import { severityLabel } from '../render-plan.js';

interface AuditOptions extends ReserveCommandOptions {
  readonly spares: number;
  /** `--ipv6` / `--no-ipv6`; undefined: checked when a pool function allows IPv6. */
  readonly ipv6?: boolean;
}

const IPV6_CHECK: Readonly<Record<Ipv6Check, string>> = {
  asked: 'IPv6 egress: checked, as asked (--ipv6).',
  detected: 'IPv6 egress: checked, because a pool function allows IPv6 (--no-ipv6 skips it).',
  off: 'IPv6 egress: not checked (--ipv6 checks it; it is checked anyway once a pool function allows IPv6).',
};

export const registerAudit: RegisterCommand = (program, run) => {
  const command = addReserveOption(
    addPoolOptions(
      new Command('audit').description(
        'check a pool before trusting the tool with it: egress routes, inbound rules, shared ENIs, unbound ENIs, stray IPs, cost, quota, versions, and IPv6 egress; exits 1 on any error finding',
      ),
    ),
  )
    .option(
      '--spares <n>',
      'the free IPs you mean to keep; more is reported as cost',
      wholeNumber(0, 1000),
      0,
    )
    .option(
      '--ipv6',
      'also check IPv6 dual-stack egress: each function allows IPv6, each subnet has a /64 and a ::/0 route to an (egress-only) internet gateway, each security-group set lets IPv6 out (default: when a pool function allows IPv6)',
    )
    .option('--no-ipv6', 'never check IPv6 egress')
    .action(async (options: AuditOptions, self: Command) =>
      run(self, async ({ clients, output }) => {
        output.startProgress(`auditing pool "${options.pool}"`);
        const { auditPool } = await import('../../reconcile/audit-pool.js');
        const report = await auditPool(await clients(), {
          ...reconcileRequest(options),
          ...(options.ipv6 === undefined ? {} : { ipv6: options.ipv6 }),
        });
        const errors = report.findings.filter((finding) => finding.severity === 'error');
        output.result({ ...report, ...firstFailure(errors, 'findings') }, () => renderAudit(report, output));
        return report.summary.errors > 0 ? ExitCode.Failure : ExitCode.Ok;
      }),
    );
  program.addCommand(command);
};

function renderAudit(report: AuditReport, output: Output): string {
  const { errors, warnings, info } = report.summary;
  const header = output.style(
    'bold',
    `Audit of pool "${report.pool}" in ${report.region}: ${errors} error(s), ${warnings} warning(s), ${info} note(s).`,
  );
  const quota =
    report.quota.limit === null
      ? `Elastic IPs: ${report.quota.allocatedInRegion} allocated in the Region; limit unknown.`
      : `Elastic IPs: ${report.quota.allocatedInRegion} of ${report.quota.limit} allocated in the Region (${report.quota.headroom} left).`;
  const cost = `Cost: ${report.cost.ips} pool IP(s), $${report.cost.monthlyUsd.toFixed(2)} a month ($${report.cost.usdPerIpHour}/h each, price as of ${report.cost.priceAsOf}).`;
  return [
    header,
    report.findings.map((finding) => renderFinding(finding, output)).join('\n\n'),
    cost,
    quota,
    IPV6_CHECK[report.ipv6],
  ]
    .filter(Boolean)
    .join('\n\n');
}

function renderFinding(finding: Finding, output: Output): string {
  return `${severityLabel(finding.severity, finding.code, output)}: ${finding.message}\n  fix: ${finding.fix}`;
}
