/** Timing helpers: medians of repeated runs, with a GC between runs when node runs with --expose-gc. */

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Milliseconds one call of `work` takes. */
export async function time(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** One unit of a workload (e.g. 100 appends); units run in order 0, 1, 2, … within a repetition. */
type Contender = (repetition: number, unit: number) => Promise<unknown>;

/**
 * Runs every contender's workload `repetitions` times and returns each contender's median total
 * milliseconds per repetition (absent optional contenders stay undefined).
 *
 * Contenders take turns unit by unit, so a burst of load from another process on the machine
 * lands on all of them alike instead of on whoever ran during it. Who goes first in a unit is
 * drawn (seeded, so every run draws the same): a strict rotation falls into step with periodic
 * costs such as garbage collection, which then land on one contender only. Two identical readers
 * of PGlite measured 30% apart under rotation.
 */
export async function compare<T extends Record<string, Contender | undefined>>(
  repetitions: number,
  units: number,
  contenders: T,
): Promise<{ [K in keyof T]-?: undefined extends T[K] ? number | undefined : number }> {
  const names = Object.keys(contenders).filter((name) => contenders[name] !== undefined);
  const samples = new Map<string, number[]>(names.map((name) => [name, []]));
  // xorshift32: a fixed, well-spread sequence of draws.
  let state = 0x9e3779b9;
  const nextDraw = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  for (let repetition = 0; repetition < repetitions; repetition++) {
    collectGarbage();
    const totals = new Map<string, number>(names.map((name) => [name, 0]));
    for (let unit = 0; unit < units; unit++) {
      const shift = nextDraw() % names.length;
      for (let k = 0; k < names.length; k++) {
        const name = names[(k + shift) % names.length]!;
        const elapsed = await time(() => contenders[name]!(repetition, unit));
        totals.set(name, totals.get(name)! + elapsed);
      }
    }
    for (const name of names) samples.get(name)!.push(totals.get(name)!);
  }
  return Object.fromEntries(names.map((name) => [name, median(samples.get(name)!)])) as never;
}
