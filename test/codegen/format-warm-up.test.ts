import { describe, expect, it } from 'vitest';
import { warmUpSample, warmUpUntil } from '../../generator/write/format-warm-up.js';
import { formatTypeScript } from '../../generator/write/prettier-format.js';

describe('formatter warm-up', () => {
  it('is valid TypeScript that prettier formats (a broken sample would warm up nothing)', async () => {
    const formatted = await formatTypeScript(warmUpSample);
    expect(formatted).toContain('export abstract class ThingBase extends AggregateRoot<ThingEvent> {');
    expect(formatted).toContain('  keyOf: (event) => event.aggregateId,');
  });

  it('formats round after round until real work arrives, and never past the cap', async () => {
    let asked = 0;
    await warmUpUntil(() => ++asked > 2);
    expect(asked).toBe(3);
    asked = 0;
    await warmUpUntil(() => (++asked, false), 2);
    expect(asked).toBe(2);
  });
});
