/** Hours in the month every figure is priced for: AWS's own convention (8,760 h / 12). */
export const HOURS_PER_MONTH = 730;

/** A price per hour, for a whole month of use. */
export function monthlyFromHourly(usdPerHour: number): number {
  return usdPerHour * HOURS_PER_MONTH;
}
