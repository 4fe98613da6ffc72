/**
 * The longest egress downtime the controller's design allows for one churn run, worked out from what the
 * scenario declares it needs, the pool it is given and the run's timings, never from the run itself. A
 * controller that stops binding new ENIs, binds them late or takes an IP off a serving ENI exceeds it.
 */

/** What a scenario's change asks of the pool. */
export interface ChurnNeeds {
  /** ENIs the change makes Lambda create that must get a pool IP. */
  readonly newEnis: number;
  /** When Lambda creates them, counted from the change. @default 0 */
  readonly createdAfterMs?: number;
  /** Pool IPs the change frees before then (the ENIs an idle reclaim deletes). @default 0 */
  readonly freedBefore?: number;
  /** Pool IPs on ENIs that retire when traffic moves to the new ones (a VPC change). @default 0 */
  readonly retiringAtSwitch?: number;
  /** Keepers make Lambda create every new ENI, and the deployment bind it, before the change. @default false */
  readonly keptAhead?: boolean;
}

export interface ChurnBoundInput {
  readonly needs: ChurnNeeds;
  /** The pool's combinations have keepers, and deployments wait for their ENIs to hold pool IPs. */
  readonly keepers: boolean;
  readonly spares: number;
  readonly allocate: boolean;
  readonly eventsLost: boolean;
  /** Lambda creating an ENI until traffic uses it. */
  readonly eniSwitchMs: number;
  /** The first scheduled run, counted from the change; then one every scheduleMs. */
  readonly schedulePhaseMs: number;
  readonly scheduleMs: number;
  /** The update watch's poll interval (LSI_UPDATE_POLL_SECONDS). */
  readonly watchPollMs: number;
}

/**
 * - Keepers that create the change's ENIs ahead: 0, whatever the timings. Either the deployment's wait saw
 *   them bound before the change, or it failed and the change was never made.
 * - Enough free IPs (spares plus what the change frees first), or allocation allowed: the first scheduled
 *   run at or after the new ENIs exist binds them, so downtime is how far that run falls after they take
 *   traffic. A delivered event can only make it earlier.
 * - Otherwise the IPs come from the ENIs that retire when traffic moves: the first scheduled run at or
 *   after the switch moves them; with events, an update watch already running moves them within one poll.
 * - Fewer IPs than that: no bound (the scenario asks for a pool that cannot serve it), an error.
 */
export function churnDowntimeBoundMs(input: ChurnBoundInput): number {
  const { needs } = input;
  if (needs.newEnis === 0 || (input.keepers && needs.keptAhead)) return 0;
  const created = needs.createdAfterMs ?? 0;
  const switched = created + input.eniSwitchMs;
  const firstRunFrom = (instant: number) =>
    input.schedulePhaseMs +
    Math.max(0, Math.ceil((instant - input.schedulePhaseMs) / input.scheduleMs)) * input.scheduleMs;
  const free = input.spares + (needs.freedBefore ?? 0);
  const boundFromFree = Math.max(0, firstRunFrom(created) - switched);
  if (input.allocate || free >= needs.newEnis) return boundFromFree;
  if (free + (needs.retiringAtSwitch ?? 0) < needs.newEnis) {
    throw new Error(
      `the pool cannot serve this change: ${needs.newEnis} new ENIs, ${free} free IPs and ` +
        `${needs.retiringAtSwitch ?? 0} retiring; give it more spares or allow allocation`,
    );
  }
  const boundFromRetired = Math.max(
    firstRunFrom(switched) - switched,
    input.eventsLost ? 0 : input.watchPollMs,
  );
  return Math.max(free > 0 ? boundFromFree : 0, boundFromRetired);
}
