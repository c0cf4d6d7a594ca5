/**
 * Which seeds a property run uses. `ESGEN_SEED=17` (or `ESGEN_SEED=3,17,40` or `1-50`) replays
 * exactly those; otherwise `count` seeds: the first ones, plus the fewest extra seeds (from the
 * first 500) needed so that together they use every feature the generator knows.
 */
import { allFeatures, domainFeatures, type Feature } from './domain-features.js';
import { randomDomain, type DomainOptions } from './random-domain.js';

export function seedsFromEnvironment(): number[] | undefined {
  const text = process.env.ESGEN_SEED?.trim();
  if (!text) return undefined;
  return parseSeeds(text);
}

/** `7`, `3,17,40`, `1-50`, or a mix. */
export function parseSeeds(text: string): number[] {
  const seeds: number[] = [];
  for (const part of text.split(',')) {
    const range = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(part);
    if (range) for (let seed = Number(range[1]); seed <= Number(range[2]); seed++) seeds.push(seed);
    else if (/^\s*\d+\s*$/.test(part)) seeds.push(Number(part));
    else throw new Error(`ESGEN_SEED: \`${part}\` is not a seed or a range (e.g. 17, 3,17 or 1-50)`);
  }
  return seeds;
}

export function propertySeeds(count: number, options: DomainOptions = {}): number[] {
  const fromEnvironment = seedsFromEnvironment();
  if (fromEnvironment) return fromEnvironment;
  const seeds = Array.from({ length: count }, (_, i) => i + 1);
  const covered = new Set<Feature>(seeds.flatMap((seed) => [...domainFeatures(randomDomain(seed, options))]));
  for (let seed = count + 1; seed <= 500 && covered.size < allFeatures.length; seed++) {
    const features = domainFeatures(randomDomain(seed, options));
    if ([...features].some((feature) => !covered.has(feature))) {
      seeds.push(seed);
      features.forEach((feature) => covered.add(feature));
    }
  }
  return seeds;
}
