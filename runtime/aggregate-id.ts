import type { AggregateDefinition } from './contracts.js';
import { InvalidAggregateId } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Throws InvalidAggregateId unless `id` fits the aggregate's `id` type from the spec. */
export function assertAggregateId(aggregateType: string, definition: Pick<AggregateDefinition, 'idType'> | undefined, id: string): void {
  const idType = definition?.idType ?? 'string';
  if (typeof id !== 'string' || id === '' || (idType === 'uuid' && !UUID.test(id))) throw new InvalidAggregateId(aggregateType, String(id), idType);
}
