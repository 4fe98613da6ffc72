/**
 * EventBridge events of type "AWS API Call via CloudTrail", shaped like the ones Lambda's own EC2 calls
 * and a user's Lambda API calls produce. The controller's event path is tested and measured with these.
 * CloudTrail renders EC2 responses in the EC2 XML style: lowerCamelCase, lists as { items: [...] }.
 */
export interface CloudTrailEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': 'AWS API Call via CloudTrail';
  readonly source: 'aws.ec2' | 'aws.lambda';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: {
    readonly eventVersion: string;
    readonly eventSource: string;
    readonly eventName: string;
    readonly awsRegion: string;
    readonly eventTime: string;
    readonly sourceIPAddress: string;
    readonly userAgent: string;
    readonly requestParameters: Record<string, unknown> | null;
    readonly responseElements: Record<string, unknown> | null;
    readonly [key: string]: unknown;
  };
}

interface EventContext {
  readonly accountId: string;
  readonly region: string;
  readonly time: number;
  readonly id: string;
}

function envelope(
  context: EventContext,
  source: CloudTrailEvent['source'],
  eventSource: string,
  eventName: string,
  requestParameters: Record<string, unknown> | null,
  responseElements: Record<string, unknown> | null,
): CloudTrailEvent {
  const time = new Date(context.time).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    version: '0',
    id: context.id,
    'detail-type': 'AWS API Call via CloudTrail',
    source,
    account: context.accountId,
    time,
    region: context.region,
    resources: [],
    detail: {
      eventVersion: '1.09',
      eventSource,
      eventName,
      awsRegion: context.region,
      eventTime: time,
      sourceIPAddress: source === 'aws.ec2' ? 'lambda.amazonaws.com' : '198.51.100.10',
      userAgent: source === 'aws.ec2' ? 'lambda.amazonaws.com' : 'aws-cli/2',
      userIdentity: {
        type: 'AssumedRole',
        accountId: context.accountId,
        invokedBy: source === 'aws.ec2' ? 'lambda.amazonaws.com' : undefined,
      },
      requestParameters,
      responseElements,
      eventType: 'AwsApiCall',
      recipientAccountId: context.accountId,
    },
  };
}

export const cloudTrailEvent = {
  createNetworkInterface(
    context: EventContext,
    eni: {
      networkInterfaceId: string;
      subnetId: string;
      vpcId: string;
      availabilityZone: string;
      description: string;
      securityGroupIds: readonly string[];
      privateIpAddress: string;
    },
  ): CloudTrailEvent {
    const groupSet = { items: eni.securityGroupIds.map((groupId) => ({ groupId })) };
    return envelope(
      context,
      'aws.ec2',
      'ec2.amazonaws.com',
      'CreateNetworkInterface',
      { subnetId: eni.subnetId, description: eni.description, groupSet },
      {
        requestId: context.id,
        networkInterface: {
          networkInterfaceId: eni.networkInterfaceId,
          subnetId: eni.subnetId,
          vpcId: eni.vpcId,
          availabilityZone: eni.availabilityZone,
          description: eni.description,
          ownerId: context.accountId,
          requesterManaged: false,
          status: 'pending',
          privateIpAddress: eni.privateIpAddress,
          groupSet,
          interfaceType: 'lambda',
          tagSet: {},
        },
      },
    );
  },

  /**
   * The same CreateNetworkInterface event without `responseElements.networkInterface.interfaceType`: the
   * shape of the CreateNetworkInterface records AWS publishes (awsdocs/amazon-efs-user-guide,
   * logging-using-cloudtrail.md), where the request's `description` is the only mark of whose ENI it is.
   * Whether Lambda's records carry the field is not documented; the controller must work either way.
   */
  withoutInterfaceType(event: CloudTrailEvent): CloudTrailEvent {
    const copy = structuredClone(event);
    const networkInterface = (copy.detail.responseElements as { networkInterface?: Record<string, unknown> })
      ?.networkInterface;
    if (!networkInterface) throw new Error('not a CreateNetworkInterface event with a response');
    delete networkInterface.interfaceType;
    return copy;
  },

  deleteNetworkInterface(context: EventContext, networkInterfaceId: string): CloudTrailEvent {
    return envelope(
      context,
      'aws.ec2',
      'ec2.amazonaws.com',
      'DeleteNetworkInterface',
      { networkInterfaceId },
      { requestId: context.id, _return: true },
    );
  },

  lambda(
    context: EventContext,
    eventName: 'CreateFunction20150331' | 'UpdateFunctionConfiguration20150331v2',
    fn: {
      functionName: string;
      functionArn: string;
      vpcConfig: { subnetIds: readonly string[]; securityGroupIds: readonly string[] };
    },
  ): CloudTrailEvent {
    const vpcConfig = {
      subnetIds: [...fn.vpcConfig.subnetIds],
      securityGroupIds: [...fn.vpcConfig.securityGroupIds],
    };
    return envelope(
      context,
      'aws.lambda',
      'lambda.amazonaws.com',
      eventName,
      { functionName: fn.functionName, vpcConfig },
      { functionName: fn.functionName, functionArn: fn.functionArn, vpcConfig },
    );
  },
};
