/**
 * Walks a payload along the personal paths of its version (PersonalDataSpec.versions) and
 * replaces each value found, copying only the objects and arrays on the way (the caller's payload
 * is never changed). `*` stands for every element of a list or every value of a map; a property
 * that is absent (an optional field, an empty list) has nothing to replace.
 */
import type { PiiValue } from '../contracts.js';

/** Returned by a replacer: leave the property out (an optional field once forgotten). */
export const REMOVE: unique symbol = Symbol('remove');

export type PiiReplacer = (value: unknown, entry: PiiValue) => unknown;

export function replacePii(data: unknown, entries: readonly PiiValue[], replace: PiiReplacer): unknown {
  let result = data;
  for (const entry of entries) result = along(result, entry, 0, replace);
  return result;
}

function along(node: unknown, entry: PiiValue, depth: number, replace: PiiReplacer): unknown {
  if (typeof node !== 'object' || node === null) return node;
  const segment = entry.path[depth]!;
  const last = depth === entry.path.length - 1;
  if (segment === '*') {
    if (Array.isArray(node)) return node.map((item) => along(item, entry, depth + 1, replace));
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) copy[key] = along(value, entry, depth + 1, replace);
    return copy;
  }
  if (Array.isArray(node) || !Object.hasOwn(node, segment)) return node;
  const record = node as Record<string, unknown>;
  const next = last ? replace(record[segment], entry) : along(record[segment], entry, depth + 1, replace);
  if (next === record[segment]) return node;
  const copy = { ...record };
  if (next === REMOVE) delete copy[segment];
  else copy[segment] = next;
  return copy;
}

/** Every value at the entries' paths, in order (exportSubject lists them). */
export function piiValues(data: unknown, entries: readonly PiiValue[]): { path: string; value: unknown }[] {
  const found: { path: string; value: unknown }[] = [];
  const visit = (node: unknown, entry: PiiValue, depth: number, at: string) => {
    if (typeof node !== 'object' || node === null) return;
    const segment = entry.path[depth]!;
    if (segment === '*') {
      for (const [key, value] of Object.entries(node)) visit(value, entry, depth + 1, `${at}/${key}`);
      return;
    }
    if (Array.isArray(node) || !Object.hasOwn(node, segment)) return;
    const value = (node as Record<string, unknown>)[segment];
    if (depth === entry.path.length - 1) found.push({ path: `${at}/${segment}`, value });
    else visit(value, entry, depth + 1, `${at}/${segment}`);
  };
  for (const entry of entries) visit(data, entry, 0, '');
  return found;
}

/** The payload with every personal value replaced by its redacted value (or left out). */
export function redactPii(data: unknown, entries: readonly PiiValue[]): unknown {
  return replacePii(data, entries, redactedValue);
}

export function redactedValue(_value: unknown, entry: PiiValue): unknown {
  return 'redacted' in entry ? structuredClone(entry.redacted) : REMOVE;
}
