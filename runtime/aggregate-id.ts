import { characterCount, MAX_NAME_LENGTH } from './argument-checks.js';
import { unstorableText } from './codegen/checks.js';
import type { AggregateDefinition } from './contracts.js';
import { InvalidAggregateId } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Throws InvalidAggregateId unless `id` fits the aggregate's `id` type from the spec and the
 * aggregate_id column: a non-empty string of at most 255 characters without NUL or lone surrogates.
 */
export function assertAggregateId(aggregateType: string, definition: Pick<AggregateDefinition, 'idType'> | undefined, id: string): void {
  const idType = definition?.idType ?? 'string';
  if (typeof id !== 'string' || id === '' || (idType === 'uuid' && !UUID.test(id))) throw new InvalidAggregateId(aggregateType, String(id), idType);
  const unstorable = unstorableText(id);
  if (unstorable !== undefined) throw new InvalidAggregateId(aggregateType, id, idType, unstorable);
  if (characterCount(id) > MAX_NAME_LENGTH) throw new InvalidAggregateId(aggregateType, id, idType, `it is longer than ${MAX_NAME_LENGTH} characters, the length of the aggregate_id column`);
}
