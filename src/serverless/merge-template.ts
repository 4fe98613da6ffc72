import { InputError } from '../core/errors.js';
import { POOL_TAG_KEY } from '../core/pool.js';
import type { TemplateSections } from './pool-template.js';

const SECTIONS = ['Resources', 'Outputs', 'Mappings', 'Conditions'] as const;

interface CompiledTemplate {
  readonly Resources: Record<
    string,
    { Type?: string; Properties?: Record<string, unknown>; DependsOn?: string | string[] }
  >;
}

/**
 * Adds the constructs' sections to Serverless's compiled template (in place), tags the pool's functions
 * `lambda-static-ip:pool=<pool>` (how the controller finds them on every run), and makes each wait for
 * what the constructs ordered it after (the keepers' `KeepersBound`).
 *
 * @throws InputError `LogicalIdCollision` when the service already has an entry the constructs define
 */
export function mergeTemplate(
  compiled: CompiledTemplate,
  added: TemplateSections,
  pool: string,
  functionDependsOn: Readonly<Record<string, readonly string[]>>,
): void {
  for (const section of SECTIONS) {
    const entries = added[section];
    if (entries === undefined) continue;
    const sections = compiled as unknown as Record<string, Record<string, unknown> | undefined>;
    const target = sections[section] ?? {};
    for (const [id, value] of Object.entries(entries)) {
      if (id in target) {
        throw new InputError(
          'LogicalIdCollision',
          `${section}.${id} is defined by the service and by lambda-static-ip; rename the service's ${id}`,
        );
      }
      target[id] = value;
    }
    sections[section] = target;
  }
  for (const [logicalId, waitsFor] of Object.entries(functionDependsOn)) {
    const resource = compiled.Resources[logicalId];
    const properties = resource?.Properties;
    if (resource === undefined || properties === undefined) continue;
    if (waitsFor.length > 0)
      resource.DependsOn = [...new Set([...[resource.DependsOn ?? []].flat(), ...waitsFor])];
    const tags = ((properties.Tags as { Key: string; Value: unknown }[] | undefined) ?? []).filter(
      (tag) => tag.Key !== POOL_TAG_KEY,
    );
    properties.Tags = [...tags, { Key: POOL_TAG_KEY, Value: pool }];
  }
}
