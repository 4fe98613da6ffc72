/**
 * Whether a trail's event selectors record EC2's management write calls (`CreateNetworkInterface`): only
 * then does EventBridge receive them as "AWS API Call via CloudTrail" events, which need a trail with
 * logging on (docs.aws.amazon.com/eventbridge/latest/userguide/event-types.html).
 */

/** A basic event selector, as GetEventSelectors returns it. */
export interface BasicEventSelector {
  readonly ReadWriteType?: string;
  readonly IncludeManagementEvents?: boolean;
  readonly ExcludeManagementEventSources?: readonly string[];
}

/** An advanced event selector's field selectors, as GetEventSelectors returns them. */
export interface AdvancedEventSelector {
  readonly FieldSelectors?: readonly {
    readonly Field?: string;
    readonly Equals?: readonly string[];
    readonly NotEquals?: readonly string[];
  }[];
}

const EC2 = 'ec2.amazonaws.com';

/**
 * True when the selectors log EC2's management write events. A basic selector logs them unless it
 * excludes management events, is `ReadOnly`, or excludes EC2 (`IncludeManagementEvents` and `ReadWriteType`
 * default to true and `All`); an advanced one when it selects `eventCategory = Management` and its
 * `readOnly` and `eventSource` fields, if any, admit write calls from EC2. A trail without selectors of
 * either kind logs all management events (the CloudTrail API's EventSelector reference: "trails created
 * without specific event selectors will be configured to log all read and write management events").
 */
export function logsManagementWrites(
  basic: readonly BasicEventSelector[] | undefined,
  advanced: readonly AdvancedEventSelector[] | undefined,
): boolean {
  if ((basic?.length ?? 0) === 0 && (advanced?.length ?? 0) === 0) return true;
  const basicLogs = (basic ?? []).some(
    (selector) =>
      selector.IncludeManagementEvents !== false &&
      selector.ReadWriteType !== 'ReadOnly' &&
      !(selector.ExcludeManagementEventSources ?? []).includes(EC2),
  );
  const admits = (
    fields: AdvancedEventSelector['FieldSelectors'],
    name: string,
    value: string,
    required: boolean,
  ) => {
    const field = (fields ?? []).find((f) => f.Field === name);
    if (!field) return !required;
    if (field.Equals && !field.Equals.includes(value)) return false;
    return !(field.NotEquals ?? []).includes(value);
  };
  const advancedLogs = (advanced ?? []).some(
    (selector) =>
      admits(selector.FieldSelectors, 'eventCategory', 'Management', true) &&
      admits(selector.FieldSelectors, 'readOnly', 'false', false) &&
      admits(selector.FieldSelectors, 'eventSource', EC2, false),
  );
  return basicLogs || advancedLogs;
}
