/** The helpers behind aggregate `apply` rules on one map entry: new maps, the old one untouched. */
import { describe, expect, it } from 'vitest';
import { addToEntry, removeEntry, setEntry, subtractFromEntry } from '../../runtime/codegen/index.js';

describe('map-entry helpers of aggregate apply rules', () => {
  it('set, add and subtract one entry, a missing entry counting as 0, without changing the given map', () => {
    const stock = Object.freeze({ a: 2 });
    expect(setEntry(stock, 'b', 5)).toEqual({ a: 2, b: 5 });
    expect(addToEntry(stock, 'a', 3)).toEqual({ a: 5 });
    expect(addToEntry(stock, 'b', 3)).toEqual({ a: 2, b: 3 });
    expect(subtractFromEntry(stock, 'a', 2)).toEqual({ a: 0 });
    expect(subtractFromEntry(stock, 'c', 1)).toEqual({ a: 2, c: -1 });
    expect(stock).toEqual({ a: 2 });
  });

  it('change nothing for an absent amount or a missing entry to remove, and treat an unset map as empty', () => {
    const stock = { a: 1 };
    expect(addToEntry(stock, 'a', undefined)).toBe(stock);
    expect(subtractFromEntry(undefined, 'a', undefined)).toBeUndefined();
    expect(removeEntry(stock, 'b')).toBe(stock);
    expect(removeEntry(undefined, 'b')).toBeUndefined();
    expect(removeEntry(stock, 'a')).toEqual({});
    expect(stock).toEqual({ a: 1 });
    expect(addToEntry(undefined, 'x', 4)).toEqual({ x: 4 });
    expect(setEntry(undefined, 'x', 'y')).toEqual({ x: 'y' });
  });

  it('keep keys that look like prototype members as plain entries', () => {
    const added = addToEntry({}, '__proto__', 1);
    expect(Object.keys(added)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(added)).toBe(Object.prototype);
    expect(addToEntry({}, 'toString', 2)).toEqual({ toString: 2 });
    expect(removeEntry(added, '__proto__')).toEqual({});
  });
});
