/**
 * What generated code calls (`import { check, defineAggregate, … } from 'esgen/runtime'`): the
 * parts that are the same in every project, versioned with the runtime instead of copied into
 * each output folder. Generated files declare only what is specific to their spec.
 */
export { check, pointer, validateWith, type Check, type FieldChecks, type OptionalField } from './checks.js';
export { defineAggregate, defineEvent, defineRegistry, type AggregateSpecInput, type DefinedAggregate, type EventSpec } from './define-aggregate.js';
export { patched, SpecAggregate, type AggregateClass, type Appliers, type EventOf, type Patch } from './spec-aggregate.js';
export { defineReadModel, type Envelopes, type ReadModelSpec } from './read-model.js';
// Every helper of the mapping-operation table (generator/ops/mapping-ops.ts), and key helpers.
export * from './mapping-ops.js';
// Aggregate `apply` rules on one map entry.
export { addToEntry, removeEntry, setEntry, subtractFromEntry } from './map-entries.js';
