// Small decisions about chart data, kept out of the components so they can be unit-tested.

/** True when there is nothing to draw: no values, or none above zero (all-zero bars, no scores). */
export function nothingToChart(values: readonly (number | null | undefined)[]): boolean {
  return !values.some((v) => v != null && v > 0);
}
