import * as cdk from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** A cdk-nag rule (or one finding of it, `Rule[finding]`) a construct of this library answers for. */
export interface NagAcknowledgement {
  readonly id: string;
  readonly reason: string;
}

/**
 * aws-cdk-lib's `Validations`, as far as acknowledgeNag uses it: described here rather than named, so that
 * the constructs also compile against the releases before 2.257 that the peer range admits.
 */
interface ValidationsApi {
  of(scope: IConstruct): { acknowledge(...rules: NagAcknowledgement[]): void };
}

/**
 * Acknowledges cdk-nag rules on resources this library creates, so that its users need no acknowledgement
 * of their own for them. Recorded with aws-cdk-lib's `Validations.of(scope).acknowledge()`, which cdk-nag 3
 * reads from the construct or any parent; no dependency on cdk-nag. On an aws-cdk-lib too old to have
 * `Validations` (before 2.257) it does nothing, as there is no cdk-nag 3 to read it either.
 */
export function acknowledgeNag(scope: IConstruct, ...rules: readonly NagAcknowledgement[]): void {
  const validations = (cdk as { Validations?: ValidationsApi }).Validations;
  if (validations === undefined || rules.length === 0) return;
  validations.of(scope).acknowledge(...rules);
}

/**
 * The id cdk-nag gives the wildcard finding of one IAM resource: `AwsSolutions-IAM5[Resource::…]`, the
 * resource resolved in its stack and written flat: references as `<Logical.Attr>` or `<Ref>`, joins joined.
 * `resource` is a string with tokens, or its resolved CloudFormation value.
 */
export function wildcardResourceFinding(scope: IConstruct, resource: unknown): string {
  return `AwsSolutions-IAM5[Resource::${flat(cdk.Stack.of(scope).resolve(resource))}]`;
}

/** The id cdk-nag gives an AWS managed policy on a role: `AwsSolutions-IAM4[Policy::…]`. */
export function managedPolicyFinding(scope: IConstruct, policyArn: unknown): string {
  return `AwsSolutions-IAM4[Policy::${flat(cdk.Stack.of(scope).resolve(policyArn))}]`;
}

function flat(node: unknown): string {
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof node !== 'object' || node === null) return JSON.stringify(node);
  const value = node as Record<string, unknown>;
  if (Array.isArray(value['Fn::Join'])) {
    const [delimiter, items] = value['Fn::Join'] as [string, unknown[]];
    return items.map(flat).join(delimiter);
  }
  if (Array.isArray(value['Fn::GetAtt'])) {
    const [resource, attribute] = value['Fn::GetAtt'] as [unknown, unknown];
    return `<${flat(resource)}.${flat(attribute)}>`;
  }
  if (value.Ref !== undefined) return `<${flat(value.Ref)}>`;
  return JSON.stringify(node);
}
