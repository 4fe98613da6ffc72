import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * The controller bundle's stand-in for `@aws-sdk/credential-provider-node` (scripts/bundle-handlers.mjs
 * aliases it; nothing imports this file directly). Lambda hands every function its execution role's
 * credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (the Lambda developer
 * guide, "Defined runtime environment variables"), and the SDK's default chain tries the environment
 * first, so in Lambda the chain never gets further. Its other links (SSO, shared ini files, credential
 * processes, web identity, container and instance metadata, with the STS/SSO clients they need) only
 * made the bundle about 90 KB heavier and its load slower. Outside Lambda, a missing variable fails the
 * same way the chain's last link would: with a CredentialsProviderError naming the variables.
 */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
