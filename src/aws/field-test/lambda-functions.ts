import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  type IAMClient,
  ListRolesCommand,
} from '@aws-sdk/client-iam';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  InvokeCommand,
  type LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import type { InvocationOutcome } from '../../core/field-test/invocations.js';
import { FIELD_TEST_TAG_KEY, fieldTestNames } from '../../core/field-test/run-id.js';
import { partitionOf } from '../../core/partition.js';
import { zipArchive } from '../../core/zip-archive.js';
import { createFunctionOnceRoleAssumable } from '../create-function.js';
import { awsErrorCode } from '../errors.js';
import { ECHO_HANDLER, ECHO_HANDLER_SOURCE } from './echo-function.js';

/** Every field-test execution role lives under this IAM path, so `--cleanup` lists them and nothing else. */
const ROLE_PATH = '/lambda-static-ip/field-test/';
const VPC_ACCESS_POLICY = 'policy/service-role/AWSLambdaVPCAccessExecutionRole';

export interface EchoFunctionInput {
  readonly name: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The field test's functions in a real account: an execution role (created once per run, tagged, under
 * ROLE_PATH), the echo handler deployed as a zip, VPC changes and deletions through the Lambda API.
 */
export class EchoFunctions {
  #roleArn: string | undefined;

  constructor(
    private readonly lambda: LambdaClient,
    private readonly iam: IAMClient,
    private readonly region: string,
    private readonly runId: string,
  ) {}

  async create(input: EchoFunctionInput): Promise<void> {
    const role = await this.#role();
    const command = new CreateFunctionCommand({
      FunctionName: input.name,
      Runtime: 'nodejs22.x',
      Handler: ECHO_HANDLER.handler,
      Role: role,
      Code: { ZipFile: zipArchive([{ name: ECHO_HANDLER.file, data: Buffer.from(ECHO_HANDLER_SOURCE) }]) },
      MemorySize: 128,
      Timeout: 5,
      VpcConfig: { SubnetIds: [...input.subnetIds], SecurityGroupIds: [...input.securityGroupIds] },
      Tags: { ...input.tags },
    });
    await createFunctionOnceRoleAssumable(this.lambda, command);
  }

  async updateVpcConfig(name: string, placement: Omit<EchoFunctionInput, 'name' | 'tags'>): Promise<void> {
    await this.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: name,
        VpcConfig: { SubnetIds: [...placement.subnetIds], SecurityGroupIds: [...placement.securityGroupIds] },
      }),
    );
  }

  async delete(name: string): Promise<void> {
    await deleteEchoFunction(this.lambda, name);
  }

  /** Deletes the run's role; returns its name, or undefined when it made none. */
  async teardown(): Promise<string | undefined> {
    if (this.#roleArn === undefined) return undefined;
    return (await deleteFieldTestRoles(this.iam, this.region, this.runId))[0];
  }

  async #role(): Promise<string> {
    if (this.#roleArn) return this.#roleArn;
    const name = fieldTestNames.role(this.runId);
    const created = await this.iam.send(
      new CreateRoleCommand({
        RoleName: name,
        Path: ROLE_PATH,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        }),
        Tags: [{ Key: FIELD_TEST_TAG_KEY, Value: this.runId }],
      }),
    );
    this.#roleArn = created.Role?.Arn;
    if (!this.#roleArn) throw new Error('CreateRole returned no role ARN');
    // ENI management in the VPC, and logs: the AWS managed policy the Lambda guide names for VPC functions.
    await this.iam.send(
      new AttachRolePolicyCommand({
        RoleName: name,
        PolicyArn: `arn:${partitionOf(this.region)}:iam::aws:${VPC_ACCESS_POLICY}`,
      }),
    );
    return this.#roleArn;
  }
}

/** DeleteFunction, treating a function already gone as deleted. */
export async function deleteEchoFunction(lambda: LambdaClient, name: string): Promise<void> {
  try {
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
  } catch (error) {
    if (awsErrorCode(error) !== 'ResourceNotFoundException') throw error;
  }
}

/** Deletes field-test execution roles (this run's, or every run's): the policy detached first. */
export async function deleteFieldTestRoles(
  iam: IAMClient,
  region: string,
  runId?: string,
): Promise<string[]> {
  const deleted: string[] = [];
  let marker: string | undefined;
  const names: string[] = [];
  do {
    const page = await iam.send(
      new ListRolesCommand({ PathPrefix: ROLE_PATH, ...(marker ? { Marker: marker } : {}) }),
    );
    for (const role of page.Roles ?? []) {
      if (role.RoleName?.startsWith(runId === undefined ? fieldTestNames.prefix : fieldTestNames.role(runId)))
        names.push(role.RoleName);
    }
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  for (const name of names) {
    await iam
      .send(
        new DetachRolePolicyCommand({
          RoleName: name,
          PolicyArn: `arn:${partitionOf(region)}:iam::aws:${VPC_ACCESS_POLICY}`,
        }),
      )
      .catch((error: unknown) => {
        if (awsErrorCode(error) !== 'NoSuchEntity') throw error;
      });
    await iam.send(new DeleteRoleCommand({ RoleName: name }));
    deleted.push(name);
  }
  return deleted;
}

/**
 * Invokes an echo function synchronously (RequestResponse) and reads what its request showed. Invoke
 * refuses a function that is not ready: `ResourceConflictException` while it is Pending, and
 * `ResourceNotReadyException` while its VPC connection is being re-established (Lambda API reference,
 * Invoke errors); both are `not-ready`. A handler error comes back as a 200 with `FunctionError` set.
 */
export async function invokeEchoFunction(
  lambda: LambdaClient,
  name: string,
): Promise<{ outcome: InvocationOutcome; ip?: string; detail?: string }> {
  try {
    const response = await lambda.send(
      new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode('{}') }),
    );
    const text = response.Payload ? new TextDecoder().decode(response.Payload) : '';
    if (response.FunctionError)
      return { outcome: 'error', detail: `${response.FunctionError}: ${text.slice(0, 200)}` };
    const body = JSON.parse(text) as { ip?: string | null; error?: string };
    if (typeof body.ip === 'string' && body.ip !== '') return { outcome: 'egress', ip: body.ip };
    return { outcome: 'no-egress', ...(body.error ? { detail: body.error } : {}) };
  } catch (error) {
    const code = awsErrorCode(error);
    const detail = `${code ?? 'Error'}: ${error instanceof Error ? error.message : String(error)}`;
    if (code === 'ResourceConflictException' || code === 'ResourceNotReadyException') {
      return { outcome: 'not-ready', detail };
    }
    return { outcome: 'error', detail };
  }
}
