import { Annotations, Duration, Token, Tokenization } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DEFAULT_KEEPER_INTERVAL_MINUTES, MAX_KEEPER_INTERVAL_MINUTES } from '../core/keeper.js';
import { DEFAULT_MAX_IPS } from '../core/pool.js';
import { DEFAULT_FULL_REFRESH_SECONDS } from '../handlers/event-patterns.js';
import { DEFAULT_UPDATE_WATCH_SECONDS, DEFAULT_WAIT_SECONDS } from '../handlers/timeout-budget.js';
import type { HyperplaneEgressProps } from './hyperplane-egress.js';
import { propsError } from './props-error.js';

/** Spares when `spares` is not given (`HyperplaneEgress.DEFAULT_SPARES`). */
export const DEFAULT_SPARES = 1;

/**
 * The settings of a `HyperplaneEgress`, checked: plain numbers and flags, known at synth, but for
 * `spares` and `maxIps`, which may be number tokens (deploy-time values, checked at deploy).
 */
export interface HyperplaneSettings {
  readonly spares: number;
  readonly allocate: boolean;
  readonly maxIps: number;
  readonly resyncMinutes: number;
  readonly fullRefreshSeconds: number;
  readonly eventDriven: boolean;
  readonly updateWatchSeconds: number;
  readonly waitSeconds: number;
  readonly probe: boolean;
  readonly probeEchoUrl?: string;
  readonly probeMinutes: number;
  /** One keeper per combination, and the functions deployed after their ENIs hold pool IPs. */
  readonly keepers: boolean;
  /** How often a keeper that does not probe is invoked. */
  readonly keeperMinutes: number;
}

/**
 * Reads the props into settings, each in its range and known at synth.
 *
 * @throws InputError `Invalid<Prop>` or `ContradictoryProbeProps`, with the construct path of `scope`
 */
export function checkSettings(scope: Construct, props: HyperplaneEgressProps): HyperplaneSettings {
  const spares = deployTimeNumber(scope, 'spares', props.spares ?? DEFAULT_SPARES, 0, 1000);
  const maxIps = deployTimeNumber(scope, 'maxIps', props.maxIps ?? DEFAULT_MAX_IPS, 1, 1000);
  const resyncMinutes = minutes(scope, 'resyncInterval', props.resyncInterval ?? Duration.minutes(1));
  const updateWatchSeconds = seconds(
    scope,
    'updateWatch',
    props.updateWatch ?? Duration.seconds(DEFAULT_UPDATE_WATCH_SECONDS),
    0,
    600,
  );
  const waitSeconds = seconds(
    scope,
    'convergenceTimeout',
    props.convergenceTimeout ?? Duration.seconds(DEFAULT_WAIT_SECONDS),
    60,
    3000,
  );
  const probe = props.probe ?? false;
  if (!probe && (props.probeEchoUrl !== undefined || props.probeInterval !== undefined)) {
    throw propsError(
      scope,
      'ContradictoryProbeProps',
      'probeEchoUrl and probeInterval configure the egress probe, which is off; set probe: true or drop them',
    );
  }
  const keepers = props.keepers ?? true;
  if (props.keeperInterval !== undefined && (!keepers || probe)) {
    throw propsError(
      scope,
      'ContradictoryKeeperProps',
      keepers
        ? 'keeperInterval sets how often a keeper that only keeps is invoked, but with probe: true each keeper is the egress probe and runs every probeInterval; drop keeperInterval'
        : 'keeperInterval sets how often the keepers are invoked, which are off (keepers: false); set keepers: true or drop it',
    );
  }
  const keeperMinutes = minutes(
    scope,
    'keeperInterval',
    props.keeperInterval ?? Duration.minutes(DEFAULT_KEEPER_INTERVAL_MINUTES),
  );
  if (keeperMinutes > MAX_KEEPER_INTERVAL_MINUTES) {
    throw invalid(
      scope,
      'keeperInterval',
      shown(props.keeperInterval ?? Duration.minutes(keeperMinutes)),
      'use at most 7 days: Lambda reclaims the ENIs of functions idle for weeks, and the keeper must run well before',
    );
  }
  if (props.probeEchoUrl !== undefined && !Token.isUnresolved(props.probeEchoUrl)) {
    checkEchoUrl(scope, props.probeEchoUrl);
  }
  return {
    spares,
    allocate: props.allocate ?? false,
    maxIps,
    resyncMinutes,
    fullRefreshSeconds: seconds(
      scope,
      'fullRefreshInterval',
      props.fullRefreshInterval ?? Duration.seconds(DEFAULT_FULL_REFRESH_SECONDS),
      0,
      86_400,
    ),
    eventDriven: props.eventDriven ?? true,
    updateWatchSeconds,
    waitSeconds,
    probe,
    ...(props.probeEchoUrl === undefined ? {} : { probeEchoUrl: props.probeEchoUrl }),
    probeMinutes: minutes(scope, 'probeInterval', props.probeInterval ?? Duration.minutes(5)),
    keepers,
    keeperMinutes,
  };
}

/**
 * A whole number in its range, or a number token (a `CfnParameter`'s value, say), which only the
 * deployment knows: then a warning says where it is checked. The controller and the custom resource
 * refuse a value out of range (`InvalidEnvironment`, `InvalidProperties`, naming it), and a pool too
 * small for the functions plus the spares fails the deployment with `PoolExhausted`.
 */
function deployTimeNumber(scope: Construct, name: string, value: number, min: number, max: number): number {
  if (!Token.isUnresolved(value)) return wholeNumber(scope, name, value, min, max);
  Annotations.of(scope).addWarningV2(
    'lambda-static-ip:checkedAtDeploy',
    `${name} is a deploy-time value (a token): the range ${min}-${max} and the pool's size are checked at deploy time, where the controller refuses a value out of range (InvalidEnvironment, InvalidProperties) and a pool too small fails the deployment (PoolExhausted); constrain the parameter (MinValue ${min}, MaxValue ${max}) to refuse it earlier`,
  );
  return value;
}

/** A setting as text, for the controller's environment and messages: a number token's deploy-time value. */
export function settingText(value: number): string {
  return Tokenization.stringifyNumber(value);
}

/** Whether a setting is a deploy-time value (a number token), unknown at synth. */
export function atDeploy(value: number): boolean {
  return Token.isUnresolved(value);
}

function wholeNumber(scope: Construct, name: string, value: number, min: number, max: number): number {
  if (Token.isUnresolved(value) || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(
      scope,
      name,
      Token.isUnresolved(value) ? '(a token)' : String(value),
      `use a whole number from ${min} to ${max}, known at synth time`,
    );
  }
  return value;
}

function seconds(scope: Construct, name: string, duration: Duration, min: number, max: number): number {
  const value = duration.isUnresolved() ? Number.NaN : duration.toSeconds({ integral: false });
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(
      scope,
      name,
      shown(duration),
      `use whole seconds from ${min} to ${max}, known at synth time`,
    );
  }
  return value;
}

function minutes(scope: Construct, name: string, duration: Duration): number {
  const value = duration.isUnresolved() ? Number.NaN : duration.toMinutes({ integral: false });
  if (!Number.isInteger(value) || value < 1) {
    throw invalid(
      scope,
      name,
      shown(duration),
      'use whole minutes, at least 1 (EventBridge schedules run at most once a minute)',
    );
  }
  return value;
}

/** `InvalidSpares`: spares -1 is invalid: <rule> */
function invalid(scope: Construct, name: string, value: string, rule: string) {
  return propsError(
    scope,
    `Invalid${name[0]?.toUpperCase()}${name.slice(1)}`,
    `${name} ${value} is invalid: ${rule}`,
  );
}

function shown(duration: Duration): string {
  return duration.isUnresolved() ? '(a token)' : duration.toHumanString();
}

function checkEchoUrl(scope: Construct, url: string): void {
  let protocol = '';
  try {
    protocol = new URL(url).protocol;
  } catch {
    // reported below
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw propsError(
      scope,
      'InvalidProbeEchoUrl',
      `probeEchoUrl ${JSON.stringify(url)} is invalid: use an http(s) URL that answers with the caller's IP address`,
    );
  }
}
