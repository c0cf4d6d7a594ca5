import { resolveSchema } from '../identifiers.js';

/** Fully qualified, quoted names of the tables the read-model runtime touches in one schema. */
export interface ProjectionTables {
  readonly schema: string;
  /** The quoted schema name, for esgen's functions in it. */
  readonly quotedSchema: string;
  readonly events: string;
  readonly projections: string;
  readonly positions: string;
  readonly leases: string;
  readonly workers: string;
  readonly rebuilds: string;
  /** The IMMUTABLE text → timestamptz cast of migration 2 (see field-expression.ts). */
  readonly timestamptzCast: string;
}

/** Validates the schema name (default `public`) once; every statement then uses these names. */
export function projectionTables(schema?: string): ProjectionTables {
  const { name, quoted } = resolveSchema(schema);
  return {
    schema: name,
    quotedSchema: quoted,
    events: `${quoted}.events`,
    projections: `${quoted}.projections`,
    positions: `${quoted}.projection_positions`,
    leases: `${quoted}.projection_leases`,
    workers: `${quoted}.projection_workers`,
    rebuilds: `${quoted}.projection_rebuilds`,
    timestamptzCast: `${quoted}.esgen_timestamptz`,
  };
}
