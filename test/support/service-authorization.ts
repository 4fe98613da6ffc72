import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Checks IAM statements against the checked-in extract of AWS's Service Authorization Reference
 * (test/fixtures/service-authorization/<prefix>.json): every action exists, every resource ARN can be one
 * of the action's resource types (or `*`), and every condition key is one the action accepts. A typo in an
 * action, an ARN of the wrong shape, or a key IAM would silently never match is a problem.
 */

const FIXTURES = fileURLToPath(new URL('../fixtures/service-authorization/', import.meta.url));

interface ActionEntry {
  readonly resourceTypes: readonly string[];
  readonly actionConditionKeys?: readonly string[];
}

interface ResourceTypeEntry {
  readonly arnFormat: string;
  readonly conditionKeys: readonly string[];
}

interface ServiceExtract {
  readonly servicePrefix: string;
  readonly actions: Readonly<Record<string, ActionEntry>>;
  readonly resourceTypes: Readonly<Record<string, ResourceTypeEntry>>;
  readonly conditionKeyTypes?: Readonly<Record<string, string>>;
}

interface GlobalKeys {
  readonly conditionKeys: readonly string[];
}

function load(): { services: Map<string, ServiceExtract>; globalKeys: readonly string[] } {
  const services = new Map<string, ServiceExtract>();
  let globalKeys: readonly string[] = [];
  for (const name of readdirSync(FIXTURES).filter((file) => file.endsWith('.json'))) {
    const content = JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as unknown;
    if (name === 'global.json') globalKeys = (content as GlobalKeys).conditionKeys;
    else services.set((content as ServiceExtract).servicePrefix, content as ServiceExtract);
  }
  return { services, globalKeys };
}

const REFERENCE = load();

/** One statement in IAM's JSON shape; every value already a plain string (intrinsics resolved). */
export interface CheckedStatement {
  readonly Action?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

const list = (value: string | readonly string[] | undefined): readonly string[] =>
  value === undefined ? [] : typeof value === 'string' ? [value] : value;

/** What is wrong with the statement, one line each, prefixed with `where`; empty when nothing is. */
export function referenceProblems(statement: CheckedStatement, where: string): string[] {
  const problems: string[] = [];
  const resources = list(statement.Resource);
  for (const action of list(statement.Action)) {
    const [prefix = '', name = ''] = action.split(':');
    const service = REFERENCE.services.get(prefix);
    if (service === undefined) {
      problems.push(`${where}: ${action}: no extract for service prefix "${prefix}" in ${FIXTURES}`);
      continue;
    }
    const entry = service.actions[name];
    if (entry === undefined) {
      problems.push(
        `${where}: ${action} is not an action of ${prefix} (the extract lists ${Object.keys(service.actions).join(', ')})`,
      );
      continue;
    }
    const matched = new Set<string>();
    for (const resource of resources) {
      if (resource === '*') {
        for (const type of entry.resourceTypes) matched.add(type);
        continue;
      }
      if (entry.resourceTypes.length === 0) {
        problems.push(
          `${where}: ${action} supports no resource-level permissions, so Resource must be "*", not ${resource}`,
        );
        continue;
      }
      const types = entry.resourceTypes.filter((type) => {
        const format = service.resourceTypes[type]?.arnFormat;
        return format !== undefined && arnsIntersect(resource, format.replace(/\$\{[^}]+\}/g, '*'));
      });
      if (types.length === 0) {
        const known = entry.resourceTypes.filter((type) => service.resourceTypes[type] !== undefined);
        problems.push(
          `${where}: ${action} on ${resource}: the ARN fits none of its resource types with a format in the extract (${known.map((type) => service.resourceTypes[type]?.arnFormat).join(', ') || 'none'})`,
        );
      }
      for (const type of types) matched.add(type);
    }
    const allowed = [
      ...REFERENCE.globalKeys,
      ...(entry.actionConditionKeys ?? []),
      ...[...matched].flatMap((type) => service.resourceTypes[type]?.conditionKeys ?? []),
    ];
    for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
      for (const key of Object.keys(keys)) {
        if (!allowed.some((template) => keyMatches(template, key))) {
          problems.push(
            `${where}: ${action} accepts no condition key ${key} on ${[...matched].join(', ') || 'its resources'}`,
          );
          continue;
        }
        const type = Object.entries(service.conditionKeyTypes ?? {}).find(([template]) =>
          keyMatches(template, key),
        )?.[1];
        if (
          type !== undefined &&
          operator.replace(/^ForAnyValue:|^ForAllValues:|IfExists$/g, '').startsWith('Arn') !==
            (type === 'ARN')
        ) {
          problems.push(`${where}: ${operator} does not fit ${key}, whose type is ${type}`);
        }
      }
    }
  }
  return problems;
}

/** Condition keys are case-insensitive; `${TagKey}` and the like stand for any non-empty text. */
function keyMatches(template: string, key: string): boolean {
  const source = template
    .split(/\$\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&'))
    .join('.+');
  return new RegExp(`^${source}$`, 'i').test(key);
}

/**
 * Whether some ARN matches both ARN patterns. IAM matches the first five segments (arn, partition, service,
 * Region, account) one by one, so a wildcard in one never reaches into the next; the resource part may
 * hold `:` and `/`.
 */
function arnsIntersect(a: string, b: string): boolean {
  const split = (arn: string) => {
    const parts = arn.split(':');
    return [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  const [left, right] = [split(a), split(b)];
  return (
    left.length === 6 && right.length === 6 && left.every((part, i) => globsIntersect(part, right[i] ?? ''))
  );
}

/**
 * Whether some string matches both patterns, where `*` matches any text (IAM's wildcard in ARNs; the
 * reference's placeholders are turned into `*`). Dynamic programming over both patterns' positions.
 */
function globsIntersect(a: string, b: string): boolean {
  const memo = new Map<number, boolean>();
  const walk = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === a.length && j === b.length) result = true;
    else if (a[i] === '*') result = walk(i + 1, j) || (j < b.length && walk(i, j + 1));
    else if (b[j] === '*') result = walk(i, j + 1) || (i < a.length && walk(i + 1, j));
    else result = i < a.length && j < b.length && a[i] === b[j] && walk(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return walk(0, 0);
}
