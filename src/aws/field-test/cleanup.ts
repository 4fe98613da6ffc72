import {
  DeleteInternetGatewayCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteTagsCommand,
  DeleteVpcCommand,
  DescribeAddressesCommand,
  DescribeInternetGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  type EC2Client,
  type Filter,
} from '@aws-sdk/client-ec2';
import { type LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import type { FieldTestCleanup } from '../../core/field-test/report.js';
import { FIELD_TEST_TAG_KEY, fieldTestNames } from '../../core/field-test/run-id.js';
import { disassociate, releaseAddress } from '../addresses.js';
import { awsErrorCode } from '../errors.js';
import type { KeeperClients } from '../keepers.js';
import { describeLambdaEnis } from './enis.js';
import { deleteFieldTestEventWatch, type FieldTestEventClients } from './event-watch.js';
import { deleteFieldTestKeepers, findFieldTestKeepers } from './keeper-cleanup.js';

export interface FieldTestCleanupOptions {
  /** Only this run's resources. @default every field-test run's */
  readonly runId?: string;
  /** Keep the Elastic IPs (they stay a pool, `lsi-ft-<run-id>`, without the field-test tag). @default false */
  readonly keepIps?: boolean;
  /** How long to wait for Lambda to delete its ENIs before the VPC can go (AWS: up to 20 minutes and more). */
  readonly waitForEnisMs: number;
  readonly pollMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Deletes a test function (the Lambda API, or the local simulator). */
  readonly deleteFunction: (name: string) => Promise<void>;
  /** EventBridge and SQS: the runs' event rules and queues are deleted (by name prefix and tag). */
  readonly eventClients?: Pick<FieldTestEventClients, 'eventbridge' | 'sqs'>;
  /**
   * The keepers of the keeper scenario (functions, schedule rules, role), found by the run tag and
   * deleted as `prune` does; `afterDelete` runs once they are gone (locally the simulator notices, as
   * Lambda does, and retires their ENIs). @default keepers are not looked for
   */
  readonly keepers?: {
    readonly clients: KeeperClients;
    readonly afterDelete?: () => Promise<void>;
  };
  /** Deletes the run's execution role, when the run made one. */
  readonly deleteRole?: () => Promise<string | undefined>;
  readonly progress?: (line: string) => void;
}

/**
 * Removes what field-test runs created, in dependency order: the event rule and queue, the functions (found by name prefix), the
 * keepers with their rules and role (by tag), the
 * Elastic IPs (by tag: disassociated, then released unless kept), then per tagged VPC, once Lambda has
 * deleted its ENIs, the security groups, subnets, route tables, internet gateway and the VPC itself.
 * Never touches an untagged resource. What cannot go yet is listed in `left`, for a later `--cleanup`.
 */
export async function cleanupFieldTest(
  clients: { readonly ec2: EC2Client; readonly lambda: LambdaClient },
  options: FieldTestCleanupOptions,
): Promise<FieldTestCleanup> {
  const { ec2, lambda } = clients;
  const say = options.progress ?? (() => undefined);
  const removed: string[] = [];
  const left: string[] = [];
  const keptIps: string[] = [];
  const tagFilter: Filter =
    options.runId === undefined
      ? { Name: 'tag-key', Values: [FIELD_TEST_TAG_KEY] }
      : { Name: `tag:${FIELD_TEST_TAG_KEY}`, Values: [options.runId] };
  const attempt = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
      removed.push(what);
      return true;
    } catch (error) {
      left.push(
        `${what} (${awsErrorCode(error) ?? 'Error'}: ${error instanceof Error ? error.message : String(error)})`,
      );
      return false;
    }
  };

  if (options.eventClients) {
    await deleteFieldTestEventWatch(options.eventClients, options.runId, attempt);
  }
  for (const name of await listFunctions(lambda, fieldTestNames.functionPrefix(options.runId))) {
    say(`deleting function ${name}`);
    await attempt(`function ${name}`, () => options.deleteFunction(name));
  }
  if (options.keepers) {
    const found = await findFieldTestKeepers(options.keepers.clients, options.runId);
    if (found.keepers.length > 0) say(`deleting keeper(s) ${found.keepers.join(', ')}`);
    await deleteFieldTestKeepers(options.keepers.clients, found, attempt);
    if (found.keepers.length > 0) await options.keepers.afterDelete?.();
  }

  const addresses = (await ec2.send(new DescribeAddressesCommand({ Filters: [tagFilter] }))).Addresses ?? [];
  for (const address of addresses) {
    if (!address.AllocationId) continue;
    const label = `address ${address.PublicIp} (${address.AllocationId})`;
    if (address.AssociationId) {
      const associationId = address.AssociationId;
      await attempt(`association of ${address.PublicIp}`, () => disassociate(ec2, associationId));
    }
    const allocationId = address.AllocationId;
    if (options.keepIps) {
      await ec2.send(
        new DeleteTagsCommand({ Resources: [allocationId], Tags: [{ Key: FIELD_TEST_TAG_KEY }] }),
      );
      keptIps.push(address.PublicIp ?? allocationId);
    } else {
      say(`releasing ${address.PublicIp}`);
      await attempt(label, () => releaseAddress(ec2, allocationId));
    }
  }

  const vpcs = (await ec2.send(new DescribeVpcsCommand({ Filters: [tagFilter] }))).Vpcs ?? [];
  for (const vpc of vpcs) {
    const vpcId = vpc.VpcId as string;
    const inVpc: Filter[] = [{ Name: 'vpc-id', Values: [vpcId] }];
    const deadline = options.now() + options.waitForEnisMs;
    let enis = await describeLambdaEnis(ec2, vpcId);
    if (enis.length > 0) say(`waiting for Lambda to delete ${enis.length} ENI(s) in ${vpcId}`);
    while (enis.length > 0 && options.now() < deadline) {
      await options.sleep(options.pollMs);
      enis = await describeLambdaEnis(ec2, vpcId);
    }
    if (enis.length > 0) {
      left.push(
        `${vpcId} and its subnets and security groups: Lambda has not deleted ENIs ${enis.map((eni) => eni.id).join(', ')} yet`,
      );
      continue;
    }
    const groups = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [...inVpc, tagFilter] })))
      .SecurityGroups;
    for (const group of groups ?? []) {
      await attempt(`security group ${group.GroupId}`, () =>
        ec2.send(new DeleteSecurityGroupCommand({ GroupId: group.GroupId })),
      );
    }
    for (const subnet of (await ec2.send(new DescribeSubnetsCommand({ Filters: inVpc }))).Subnets ?? []) {
      await attempt(`subnet ${subnet.SubnetId}`, () =>
        ec2.send(new DeleteSubnetCommand({ SubnetId: subnet.SubnetId })),
      );
    }
    const tables = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [...inVpc, tagFilter] })))
      .RouteTables;
    for (const table of tables ?? []) {
      await attempt(`route table ${table.RouteTableId}`, async () => {
        for (const association of table.Associations ?? []) {
          if (association.Main || !association.RouteTableAssociationId) continue;
          await ec2.send(
            new DisassociateRouteTableCommand({ AssociationId: association.RouteTableAssociationId }),
          );
        }
        await ec2.send(new DeleteRouteTableCommand({ RouteTableId: table.RouteTableId }));
      });
    }
    const gateways = (
      await ec2.send(
        new DescribeInternetGatewaysCommand({
          Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }, tagFilter],
        }),
      )
    ).InternetGateways;
    for (const gateway of gateways ?? []) {
      const id = gateway.InternetGatewayId;
      await attempt(`internet gateway ${id}`, async () => {
        await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: id, VpcId: vpcId }));
        await ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: id }));
      });
    }
    await attempt(`vpc ${vpcId}`, () => ec2.send(new DeleteVpcCommand({ VpcId: vpcId })));
  }

  if (options.deleteRole) {
    const role = await options.deleteRole().catch((error: unknown) => {
      left.push(`execution role (${error instanceof Error ? error.message : String(error)})`);
      return undefined;
    });
    if (role) removed.push(`role ${role}`);
  }
  return { complete: left.length === 0, removed, left, keptIps };
}

async function listFunctions(lambda: LambdaClient, prefix: string): Promise<string[]> {
  const names: string[] = [];
  let marker: string | undefined;
  do {
    const page = await lambda.send(new ListFunctionsCommand({ ...(marker ? { Marker: marker } : {}) }));
    for (const fn of page.Functions ?? []) {
      if (fn.FunctionName?.startsWith(prefix)) names.push(fn.FunctionName);
    }
    marker = page.NextMarker;
  } while (marker);
  return names;
}
