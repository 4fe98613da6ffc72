import { paginateListAliases } from '@aws-sdk/client-lambda';
import type { AliasView } from '../core/audit.js';
import type { AwsClients } from './clients.js';
import { readFailed } from './errors.js';

/**
 * The aliases of the named functions. One paged call per function, so callers pass only the few that
 * need it (the audit: pool functions with a published version placed unlike $LATEST).
 */
export async function listAliases(
  clients: AwsClients,
  functionNames: readonly string[],
): Promise<AliasView[]> {
  const aliases: AliasView[] = [];
  for (const functionName of [...new Set(functionNames)].sort()) {
    try {
      for await (const page of paginateListAliases(
        { client: clients.lambda },
        { FunctionName: functionName },
      )) {
        for (const alias of page.Aliases ?? []) {
          aliases.push({
            functionName,
            name: alias.Name ?? '',
            version: alias.FunctionVersion ?? '',
            additionalVersions: Object.keys(alias.RoutingConfig?.AdditionalVersionWeights ?? {}),
          });
        }
      }
    } catch (error) {
      throw readFailed(`lambda:ListAliases (${functionName})`, error);
    }
  }
  return aliases;
}
