import type { DiagnosticCode } from '../diagnostics/diagnostic-codes.js';
/**
 * The declarative upcast operations (`upcast: { rename, remove, add }`): one row each, with the
 * order they apply in, how each changes the fields of a payload, and its documentation. An upcast
 * step is simulated once, here: the typed IR keeps the result, the checks report its problems and
 * the emitter writes the step from where each field of the next version comes from.
 */
import { suggestion } from '../diagnostics/did-you-mean.js';
import { formatType } from '../ir/parse-expressions.js';
import type { AggregateDef, EventDef, EventVersionDef, FieldDef, JsonValue, TypeRef, UpcastOp, UpcastStep } from '../ir/types.js';
import { readableAs } from '../lock/read-compatibility.js';
import { acceptsNull, constantMismatch, enumValues } from '../validate/type-rules.js';

/** Where a field of version N+1 gets its value. */
export type FieldSource =
  /** The field of version N named `from` (renamed or kept). */
  | { readonly kind: 'field'; readonly from: string; readonly type: TypeRef; readonly optional: boolean }
  /** A constant from `add`. */
  | { readonly kind: 'literal'; readonly value: JsonValue; readonly type: TypeRef; readonly optional: boolean };

export interface UpcastProblem {
  readonly code: DiagnosticCode;
  /** The op or the step the problem is reported at. */
  readonly node: object;
  readonly part?: 'key' | 'value';
  readonly message: string;
  readonly hint?: string | undefined;
}

export interface UpcastSimulation {
  /** Every field the step produces, by name, in no particular order. */
  readonly fields: ReadonlyMap<string, FieldSource>;
  /** Fields of version N the step drops (removed, or renamed away). */
  readonly dropped: readonly string[];
  readonly problems: readonly UpcastProblem[];
}

interface Simulation {
  readonly fields: Map<string, FieldSource>;
  readonly target: ReadonlyMap<string, FieldDef>;
  readonly added: Set<string>;
  readonly report: (problem: UpcastProblem) => void;
  readonly aggregate: AggregateDef;
  readonly event: EventDef;
  readonly from: number;
  readonly to: number;
}

export interface UpcastOpRow<TOp extends UpcastOp> {
  /** Operations apply in this order, whatever their order in the YAML. */
  readonly order: number;
  readonly syntax: string;
  readonly doc: string;
  /** Applies the op to the fields simulated so far; false when it refers to a field that is not there. */
  readonly simulate: (op: TOp, simulation: Simulation) => boolean;
}

export const upcastOpTable: { readonly [K in UpcastOp['kind']]: UpcastOpRow<Extract<UpcastOp, { kind: K }>> } = {
  rename: {
    order: 1,
    syntax: '`rename: { old: new }`',
    doc: 'gives a field a new name, keeping its value',
    simulate(op, { fields, report, event, from }) {
      const field = fields.get(op.from);
      if (!field) {
        report({ code: 'ESG157', node: op, part: 'key', message: `the upcast from version ${from} renames \`${op.from}\`, which version ${from} of \`${event.name}\` does not have`, hint: suggestion(op.from, [...fields.keys()], 'fields') });
        return false;
      }
      if (fields.has(op.to)) {
        report({ code: 'ESG142', node: op, message: `the upcast from version ${from} renames \`${op.from}\` to \`${op.to}\`, but \`${op.to}\` already exists`, hint: 'remove the existing field first' });
        return true;
      }
      fields.delete(op.from);
      fields.set(op.to, field);
      return true;
    },
  },
  remove: {
    order: 2,
    syntax: '`remove: [field]`',
    doc: 'drops a field',
    simulate(op, { fields, report, event, from }) {
      if (fields.delete(op.field)) return true;
      report({ code: 'ESG157', node: op, message: `the upcast from version ${from} removes \`${op.field}\`, which version ${from} of \`${event.name}\` does not have (after renames)`, hint: suggestion(op.field, [...fields.keys()], 'fields') });
      return false;
    },
  },
  add: {
    order: 3,
    syntax: '`add: { field: value }`',
    doc: 'adds a field with a constant value, which must fit its type in the next version',
    simulate(op, { fields, target, added, report, aggregate, event, from, to }) {
      const wanted = target.get(op.field);
      if (fields.has(op.field)) {
        report({ code: 'ESG142', node: op, part: 'key', message: `the upcast from version ${from} adds \`${op.field}\`, which version ${from} already has`, hint: 'rename or remove the old field first' });
        return true;
      }
      if (!wanted) {
        report({ code: 'ESG142', node: op, part: 'key', message: `the upcast from version ${from} adds \`${op.field}\`, which version ${to} of \`${event.name}\` does not have`, hint: suggestion(op.field, [...target.keys()], 'fields of the next version') });
        return true;
      }
      added.add(op.field);
      fields.set(op.field, { kind: 'literal', value: op.value, type: wanted.type, optional: wanted.optional });
      const problem = op.value === null ? (wanted.optional || acceptsNull(wanted.type) ? undefined : `null, but \`${op.field}\` is required`) : constantMismatch(aggregate, op.value, wanted.type);
      if (problem) {
        const values = enumValues(aggregate, wanted.type);
        report({ code: 'ESG143', node: op, message: `the value added for \`${op.field}\` does not fit ${formatType(wanted.type)}: ${problem}`, hint: values && typeof op.value === 'string' ? suggestion(op.value, values, 'values') : undefined });
      }
      return true;
    },
  },
};

/**
 * Simulates a declarative step on the fields of version N and compares the result with version
 * N+1: every required field produced, types unchanged, nothing extra.
 */
export function simulateUpcast(aggregate: AggregateDef, event: EventDef, version: EventVersionDef, next: EventVersionDef, step: Extract<UpcastStep, { kind: 'declarative' }>): UpcastSimulation {
  const problems: UpcastProblem[] = [];
  const fields = new Map<string, FieldSource>(version.fields.map((field) => [field.name, { kind: 'field', from: field.name, type: field.type, optional: field.optional }]));
  const target = new Map<string, FieldDef>(next.fields.map((field) => [field.name, field]));
  const simulation: Simulation = { fields, target, added: new Set(), report: (problem) => problems.push(problem), aggregate, event, from: version.version, to: next.version };
  // After an op that refers to a missing field, comparing with N+1 would only repeat it.
  let opFailed = false;
  for (const op of step.ops) {
    const row = upcastOpTable[op.kind] as UpcastOpRow<UpcastOp>;
    if (!row.simulate(op, simulation)) opFailed = true;
  }
  const kept = new Set([...fields.values()].flatMap((source) => (source.kind === 'field' ? [source.from] : [])));
  const dropped = version.fields.map((field) => field.name).filter((name) => !kept.has(name));
  if (!opFailed) compareWithNext(simulation, step);
  return { fields, dropped, problems };
}

function compareWithNext({ fields, target, added, report, aggregate, event, from, to }: Simulation, step: object): void {
  for (const [name, wanted] of target) {
    const have = fields.get(name);
    if (!have) {
      if (!wanted.optional) {
        report({ code: 'ESG142', node: step, message: `version ${to} of \`${event.name}\` requires \`${name}\`, but the upcast from version ${from} does not produce it`, hint: `add \`add: { ${name}: <value> }\` or \`rename: { <old>: ${name} }\`, or use \`upcast: custom\`` });
      }
      continue;
    }
    if (added.has(name)) continue;
    const readable = readableAs(aggregate, have.type, wanted.type);
    if (!readable.ok) {
      const lost = readable.lost ? ` (values ${readable.lost.map((value) => `\`${value}\``).join(', ')} of version ${from} are not values of version ${to})` : '';
      report({ code: 'ESG142', node: step, message: `\`${name}\` is ${formatType(have.type)} in version ${from} but ${formatType(wanted.type)} in version ${to}${lost}; a declarative upcast cannot convert it`, hint: 'use `upcast: custom` to convert the value' });
    } else if (have.optional && !wanted.optional) {
      report({ code: 'ESG142', node: step, message: `\`${name}\` may be absent in version ${from} but is required in version ${to}`, hint: 'use `upcast: custom` to fill it in, or keep it optional' });
    }
  }
  for (const name of fields.keys()) {
    if (!target.has(name)) {
      report({ code: 'ESG142', node: step, message: `the upcast from version ${from} keeps \`${name}\`, which version ${to} of \`${event.name}\` does not have`, hint: `add \`remove: [${name}]\` or a \`rename\`` });
    }
  }
}
