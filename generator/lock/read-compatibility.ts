/**
 * Can a value stored with one type be read, unchanged, as another? The rule a declarative upcast
 * step passes a field through by (a step copies values; it cannot convert them). Classified like
 * schema registries classify backward compatibility: the same canonical shape (a value type
 * renamed), a widening promotion (`integer` → `number`, `uuid` → `string`, an enum → `string`),
 * or an enum widened (every old value is still a value) are readable; anything narrower is not.
 */
import type { AggregateDef, TypeRef } from '../ir/types.js';
import { resolveShape, sameShapeType, type ShapeType, typeLookupOf } from './canonical-shape.js';

export type Readability = { readonly ok: true } | { readonly ok: false; readonly lost?: readonly string[] };

function resolve(aggregate: AggregateDef, type: TypeRef): ShapeType {
  return resolveShape([{ name: 'value', type, optional: false }], typeLookupOf(aggregate))[0]!.type;
}

export function readableAs(aggregate: AggregateDef, from: TypeRef, to: TypeRef): Readability {
  return readable(resolve(aggregate, from), resolve(aggregate, to));
}

function readable(from: ShapeType, to: ShapeType): Readability {
  if (sameShapeType(from, to)) return { ok: true };
  if (to.kind === 'primitive' && to.name === 'json') return { ok: true };
  if (from.kind === 'primitive' && to.kind === 'primitive') {
    return (from.name === 'integer' && to.name === 'number') || (from.name === 'uuid' && to.name === 'string') ? { ok: true } : { ok: false };
  }
  if (from.kind === 'enum' && to.kind === 'primitive') return to.name === 'string' ? { ok: true } : { ok: false };
  if (from.kind === 'enum' && to.kind === 'enum') {
    const lost = from.values.filter((value) => !to.values.includes(value));
    return lost.length === 0 ? { ok: true } : { ok: false, lost };
  }
  if (from.kind === 'array' && to.kind === 'array') return readable(from.element, to.element);
  if (from.kind === 'map' && to.kind === 'map') return readable(from.value, to.value);
  return { ok: false };
}
