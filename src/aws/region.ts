// No SDK import here: the CLI reads the Region at start-up, before it loads the SDK (if it ever does).

/** Where a Region set in the environment came from. */
export interface EnvironmentRegion {
  readonly region: string;
  readonly variable: 'AWS_REGION' | 'AWS_DEFAULT_REGION';
}

/**
 * The Region the environment sets, read as the AWS CLI reads it: AWS_REGION, else AWS_DEFAULT_REGION
 * (https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html: each overrides the
 * profile's `region`, AWS_REGION overrides AWS_DEFAULT_REGION, and `--region` overrides both). The
 * JavaScript SDK reads only AWS_REGION, so a shell set up for the AWS CLI would otherwise get "Region is
 * missing". Empty values count as unset. Undefined: the profile's `region` decides, if it has one.
 */
export function regionFromEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
): EnvironmentRegion | undefined {
  for (const variable of ['AWS_REGION', 'AWS_DEFAULT_REGION'] as const) {
    const region = env[variable]?.trim();
    if (region) return { region, variable };
  }
  return undefined;
}
