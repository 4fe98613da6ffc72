import { describe } from 'vitest';
import { CHURN_SCENARIOS } from '../../testbed/index.js';
import { churnTests } from '../support/churn.js';
import { useLocalAws } from '../support/local-aws.js';

const localAws = useLocalAws();

for (const name of ['security-group change', 'subnet added']) {
  const scenario = CHURN_SCENARIOS.find((candidate) => candidate.name === name);
  if (!scenario) throw new Error(`no churn scenario named ${name}`);
  describe(name, () => churnTests(localAws, scenario));
}
