import { createIamClient } from '../src/aws/clients.js';
import { POOL_TAG_KEY } from '../src/core/pool.js';
import {
  createVpcFixture,
  ensureExecutionRole,
  type VpcFixture,
  type VpcFixtureOptions,
} from './fixtures.js';
import { LambdaSimulator, type LambdaSimulatorOptions, type SimFunctionView } from './lambda-simulator.js';
import type { LocalAws } from './local-aws.js';

/** One function of a world: where it sits, and whether it is tagged for a pool. */
export interface WorldFunction {
  readonly name: string;
  /** @default 'public' */
  readonly subnets?: 'public' | 'private';
  /** Indexes into the fixture's security groups. @default [0] */
  readonly securityGroups?: readonly number[];
  /** Tag it `lambda-static-ip:pool=<pool>`. @default none */
  readonly pool?: string;
}

export interface LambdaWorldOptions extends VpcFixtureOptions {
  readonly functions: readonly WorldFunction[];
  /** Simulator settings (timings, seed, clock). */
  readonly simulator?: Omit<LambdaSimulatorOptions, 'localAws'>;
  /** The execution role's name. @default lsi-fixture-execution */
  readonly roleName?: string;
}

export interface LambdaWorld {
  readonly vpc: VpcFixture;
  readonly sim: LambdaSimulator;
  readonly roleArn: string;
  /** The functions, Active, their ENIs created (with no Elastic IP yet). */
  readonly functions: readonly SimFunctionView[];
}

/**
 * A realistic account in one call: a VPC with public subnets (routed to an internet gateway) and
 * private ones, security groups, an execution role, and VPC functions the Lambda simulator has made
 * Active, each with its Hyperplane ENIs.
 */
export async function createLambdaWorld(
  localAws: LocalAws,
  options: LambdaWorldOptions,
): Promise<LambdaWorld> {
  const vpc = await createVpcFixture(localAws.clients().ec2, options);
  const roleArn = await ensureExecutionRole(
    createIamClient(localAws.clientOptions()),
    options.roleName ?? 'lsi-fixture-execution',
  );
  const sim = new LambdaSimulator({ ...options.simulator, localAws });
  for (const fn of options.functions) {
    const groups = (fn.securityGroups ?? [0]).map((index) => {
      const id = vpc.securityGroupIds[index];
      if (!id)
        throw new Error(
          `function ${fn.name} names security group ${index}; the VPC has ${vpc.securityGroupIds.length}`,
        );
      return id;
    });
    await sim.createFunction({
      name: fn.name,
      subnetIds: fn.subnets === 'private' ? vpc.privateSubnetIds : vpc.publicSubnetIds,
      securityGroupIds: groups,
      role: roleArn,
      ...(fn.pool ? { tags: { [POOL_TAG_KEY]: fn.pool } } : {}),
    });
  }
  await sim.advance(sim.timings.eniSwitchMs);
  return { vpc, sim, roleArn, functions: sim.functionNames().map((name) => sim.describe(name)) };
}
