import * as cdk from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Records acknowledgements for cdk-nag 3 through aws-cdk-lib's `Validations` (2.257 and later), as
 * `Validations.of(scope).acknowledge(...rules)` does. The example app is also synthesised against 2.230, the
 * oldest aws-cdk-lib the constructs support (test/cdk/aws-cdk-lib-floor.test.ts), which has neither
 * `Validations` nor a cdk-nag 3 to read them; there it records nothing. In your app on a current
 * aws-cdk-lib, call `Validations.of(scope).acknowledge(...)` directly.
 */
export function acknowledge(
  scope: IConstruct,
  ...rules: { readonly id: string; readonly reason: string }[]
): void {
  if ('Validations' in cdk) cdk.Validations.of(scope).acknowledge(...rules);
}
