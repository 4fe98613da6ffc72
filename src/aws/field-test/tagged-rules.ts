import {
  type EventBridgeClient,
  ListRulesCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-eventbridge';
import { taggedForRun } from '../../core/field-test/run-id.js';

/** A tag list as the SDK returns it, as a map (entries without a key dropped). */
export function tagMap(
  tags: ReadonlyArray<{ Key?: string | undefined; Value?: string | undefined }> | undefined,
): Record<string, string> {
  return Object.fromEntries((tags ?? []).flatMap((tag) => (tag.Key ? [[tag.Key, tag.Value ?? '']] : [])));
}

/**
 * The names of the EventBridge rules (default bus) whose name starts with `namePrefix` and whose own tags
 * make them the run's (any run's without a run id): the name narrows, the tag decides.
 */
export async function fieldTestRuleNames(
  eventbridge: EventBridgeClient,
  namePrefix: string,
  runId: string | undefined,
): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await eventbridge.send(
      new ListRulesCommand({ NamePrefix: namePrefix, ...(token ? { NextToken: token } : {}) }),
    );
    for (const rule of page.Rules ?? []) {
      if (!rule.Name || !rule.Arn) continue;
      const { Tags } = await eventbridge.send(new ListTagsForResourceCommand({ ResourceARN: rule.Arn }));
      if (taggedForRun(tagMap(Tags), runId)) names.push(rule.Name);
    }
    token = page.NextToken;
  } while (token);
  return names;
}
