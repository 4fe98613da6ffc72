import { Duration } from 'aws-cdk-lib';
import { type EventPattern, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import {
  CONTROLLER_SCHEDULE_EXPRESSION,
  ENI_CREATED_PATTERN,
  FUNCTION_CHANGED_PATTERN,
} from '../handlers/event-patterns.js';

/** What starts a controller run besides deployments. */
export interface ControllerTriggerOptions {
  readonly poolName: string;
  /** The CloudTrail rules (they need a trail). */
  readonly eventDriven: boolean;
  /** The resync schedule's period. */
  readonly resyncMinutes: number;
}

/**
 * The CloudTrail rules (`EniCreated`, `FunctionChanged`, with `eventDriven`) and the resync schedule
 * (`Resync`), all targeting the controller.
 */
export function controllerTriggers(
  scope: Construct,
  controller: IFunction,
  options: ControllerTriggerOptions,
): Rule[] {
  const target = new LambdaFunction(controller);
  const rules: Rule[] = [];
  if (options.eventDriven) {
    rules.push(
      new Rule(scope, 'EniCreated', {
        description: `lambda-static-ip: a Lambda ENI was created (CloudTrail), bind it (pool "${options.poolName}")`,
        eventPattern: eventPattern(ENI_CREATED_PATTERN),
        targets: [target],
      }),
      new Rule(scope, 'FunctionChanged', {
        description: `lambda-static-ip: a function was created or reconfigured (CloudTrail), reconcile (pool "${options.poolName}")`,
        eventPattern: eventPattern(FUNCTION_CHANGED_PATTERN),
        targets: [target],
      }),
    );
  }
  rules.push(
    new Rule(scope, 'Resync', {
      description: `lambda-static-ip: reconcile pool "${options.poolName}", the backstop`,
      schedule:
        options.resyncMinutes === 1
          ? Schedule.expression(CONTROLLER_SCHEDULE_EXPRESSION)
          : Schedule.rate(Duration.minutes(options.resyncMinutes)),
      targets: [target],
    }),
  );
  return rules;
}

/** The shared patterns use EventBridge's own key (`detail-type`); CDK's EventPattern spells it detailType. */
function eventPattern(pattern: typeof ENI_CREATED_PATTERN | typeof FUNCTION_CHANGED_PATTERN): EventPattern {
  return {
    source: [...pattern.source],
    detailType: [...pattern['detail-type']],
    detail: pattern.detail as Record<string, unknown>,
  };
}
