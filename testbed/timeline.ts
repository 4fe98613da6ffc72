/**
 * One ENI carrying a function's traffic at an instant, and the IP that traffic left from then, if any: the
 * ENI's own Elastic IP, or (`via: 'nat-gateway'`) the address of the NAT gateway its subnet routes to.
 */
export interface ServingEni {
  readonly networkInterfaceId: string;
  readonly subnetId: string;
  readonly publicIp?: string;
  readonly allocationId?: string;
  /** Set when the ENI has no Elastic IP and its traffic leaves through a NAT gateway. */
  readonly via?: 'nat-gateway';
  readonly natGatewayId?: string;
}

/** What carried a function's traffic from `at` until the next entry for the same function. */
export interface TimelineEntry {
  readonly at: number;
  /** `api` for $LATEST, `api:1` for a published version, `api:live` for an alias. */
  readonly functionName: string;
  /** Empty while the function serves nothing (Pending, Inactive, deleted). */
  readonly serving: readonly ServingEni[];
}

/** An interval in which at least one of a function's serving ENIs had no way out (no Elastic IP, no NAT gateway). */
export interface Outage {
  readonly functionName: string;
  readonly from: number;
  readonly to: number;
  readonly networkInterfaceIds: readonly string[];
}

/**
 * For every function, version and alias (keyed `api`, `api:1`, `api:live`), which ENIs serve its traffic
 * at each instant and where that traffic left from. Entries are only added when something changed, so the
 * record is exact on a virtual clock.
 */
export class Timeline {
  #entries: TimelineEntry[] = [];
  #last = new Map<string, string>();
  #latest = new Map<string, TimelineEntry>();

  record(at: number, functionName: string, serving: readonly ServingEni[]): void {
    const sorted = [...serving].sort((a, b) => a.networkInterfaceId.localeCompare(b.networkInterfaceId));
    const key = JSON.stringify(sorted);
    if (this.#last.get(functionName) === key) return;
    this.#last.set(functionName, key);
    const entry = { at, functionName, serving: sorted };
    this.#entries.push(entry);
    this.#latest.set(functionName, entry);
  }

  entries(functionName?: string): readonly TimelineEntry[] {
    return functionName === undefined
      ? [...this.#entries]
      : this.#entries.filter((entry) => entry.functionName === functionName);
  }

  functionNames(): string[] {
    return [...new Set(this.#entries.map((entry) => entry.functionName))].sort();
  }

  /** Intervals, up to `until`, when a serving ENI of the function had no Elastic IP and no NAT gateway. */
  outages(functionName: string, until: number): Outage[] {
    const entries = this.entries(functionName);
    const outages: Outage[] = [];
    entries.forEach((entry, index) => {
      const end = Math.min(entries[index + 1]?.at ?? until, until);
      const unbound = entry.serving.filter((eni) => eni.publicIp === undefined);
      if (unbound.length === 0 || end <= entry.at) return;
      const previous = outages.at(-1);
      const ids = unbound.map((eni) => eni.networkInterfaceId);
      if (previous && previous.to === entry.at) {
        outages[outages.length - 1] = {
          ...previous,
          to: end,
          networkInterfaceIds: [...new Set([...previous.networkInterfaceIds, ...ids])],
        };
      } else {
        outages.push({ functionName, from: entry.at, to: end, networkInterfaceIds: ids });
      }
    });
    return outages;
  }

  /** Total time, up to `until`, when a serving ENI of the function had no way out. */
  downtimeMs(functionName: string, until: number): number {
    return this.outages(functionName, until).reduce((sum, outage) => sum + (outage.to - outage.from), 0);
  }

  /** Functions (versions, aliases) that, as last recorded, have a serving ENI with no way out. */
  withoutEgress(): string[] {
    return [...this.#latest.values()]
      .filter((entry) => entry.serving.some((eni) => eni.publicIp === undefined))
      .map((entry) => entry.functionName)
      .sort();
  }

  /** Every public IP the function's traffic left from. */
  egressIps(functionName: string): string[] {
    const ips = new Set<string>();
    for (const entry of this.entries(functionName)) {
      for (const eni of entry.serving) if (eni.publicIp) ips.add(eni.publicIp);
    }
    return [...ips].sort();
  }
}
