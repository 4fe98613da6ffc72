import type { RegisterCommand } from '../command.js';
import { registerApply } from './apply.js';
import { registerAudit } from './audit.js';
import { registerCost } from './cost.js';
import { registerDemo } from './demo.js';
import { registerFieldTest } from './field-test.js';
import { registerIamPolicy } from './iam-policy.js';
import { registerIps } from './ips.js';
import { registerKeepers, registerPrune } from './keepers.js';
import { registerPlan } from './plan.js';
import { registerPrepare } from './prepare.js';
import { registerRelease } from './release.js';
import { registerStatus } from './status.js';
import { registerSwitchCheck } from './switch-check.js';
import { registerTemplate } from './template.js';
import { registerUnbind } from './unbind.js';

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly RegisterCommand[] = [
  registerPlan,
  registerApply,
  registerStatus,
  registerIps,
  registerAudit,
  registerUnbind,
  registerSwitchCheck,
  registerRelease,
  registerPrepare,
  registerKeepers,
  registerPrune,
  registerCost,
  registerIamPolicy,
  registerTemplate,
  registerDemo,
  registerFieldTest,
];
