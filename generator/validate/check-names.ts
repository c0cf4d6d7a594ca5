import { enumValuesName } from '../emit/emit-types.js';
import { aggregateNames as aggregateTypeNames, checkName, eventNames, readModelNames } from '../emit/names.js';
import { primitiveNames } from '../ir/parse-expressions.js';
import type { AggregateDef, FieldDef, ReadModelDef } from '../ir/types.js';
import { typeAggregate } from '../typed/typed-aggregate.js';
import type { CheckContext } from './check-context.js';
import { readableVersions } from '../ir/event-versions.js';

/**
 * Reserved words of ECMAScript in strict mode (ES modules are strict) plus names that cannot be
 * bound: generated code uses field names as parameters and variables, not only as properties.
 */
const reservedWords = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export', 'extends',
  'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this',
  'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'implements', 'interface', 'let', 'package', 'private',
  'protected', 'public', 'static', 'yield', 'await', 'arguments', 'eval', 'undefined', 'NaN', 'Infinity',
  // Special on every JavaScript object: as keys of plain objects they change prototypes.
  '__proto__', 'constructor', 'prototype',
]);
/** Methods of Object.prototype (see checkOptional). */
const objectMembers = new Set(['toString', 'toLocaleString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable']);
/** Names generated types cannot take: TypeScript's built-in type names. */
const reservedTypeNames = new Set(['any', 'unknown', 'never', 'object', 'symbol', 'bigint', 'string', 'number', 'boolean', 'Object', 'Array', 'Date', 'Record', 'Promise', 'Map', 'Set', 'Error']);

// ASCII only: generated names must also be valid file names and SQL-friendly JSON keys.
const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** projection_name: a lower-case SQL identifier that never needs quoting (63 bytes: NAMEDATALEN - 1). */
export const sqlIdentifier = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Identifiers, reserved words, and names that must be unique per aggregate or across the domain.
 * `local` checks each aggregate on its own (what depends on its file alone, which checkDomain
 * reuses while the file is unchanged); `domain` checks only the names that must be unique across
 * aggregates (aggregates, events, read models, projections).
 */
export function checkNames(ctx: CheckContext, scope: 'local' | 'domain'): void {
  const local = scope === 'local';
  const checkIdentifier = (name: string, node: object, what: string, isTypeName = false) => checkIdentifierName(ctx, name, node, what, isTypeName);
  const checkOptional = (field: { name: string; optional: boolean }, node: object) => checkOptionalName(ctx, field, node);
  const checkFields = (fields: readonly FieldDef[], what: string) => {
    for (const field of fields) {
      checkIdentifier(field.name, field, what);
      checkOptional(field, field);
    }
  };

  const aggregateNames = new Map<string, AggregateDef>();
  // File names (`http-server/`, `http-server.ts`) and value names (`httpServerAggregate`) derived
  // from aggregate names: `HttpServer` and `HTTPServer` differ, their files and values do not.
  const derivedNames = new Map<string, AggregateDef>();
  const eventOwners = new Map<string, AggregateDef>();
  const readModelOwners = new Map<string, AggregateDef>();
  const projections = new Map<string, { aggregate: AggregateDef; description: string }>();

  for (const aggregate of ctx.aggregates) {
    if (local) checkIdentifier(aggregate.name, aggregate, 'the aggregate name', true);
    const first = aggregateNames.get(aggregate.name);
    if (first && !local) {
      ctx.report({
        code: 'ESG132',
        node: aggregate,
        below: ['aggregate'],
        message: `the aggregate \`${aggregate.name}\` is also declared in ${first.file}`,
        hint: 'each aggregate lives in exactly one spec file',
      });
    } else aggregateNames.set(aggregate.name, aggregate);
    if (!local && !first) {
      const derived = aggregateTypeNames(aggregate.name);
      const clash = derivedNames.get(`file:${derived.kebab}`) ?? derivedNames.get(`value:${derived.camel}`);
      if (clash) {
        const same = aggregateTypeNames(clash.name).kebab === derived.kebab;
        ctx.report({
          code: 'ESG161',
          node: aggregate,
          below: ['aggregate'],
          message: `the aggregate \`${aggregate.name}\` and the aggregate \`${clash.name}\` (${clash.file}) would generate ${same ? `the same files (\`${derived.kebab}/\`, \`${derived.kebab}.ts\`)` : `the same name \`${derived.definition}\``}`,
          hint: 'names that differ only in case or underscores map to the same file and value names: rename one of them',
        });
      } else {
        derivedNames.set(`file:${derived.kebab}`, aggregate);
        derivedNames.set(`value:${derived.camel}`, aggregate);
      }
    }
    // Type, event and read-model names all become exported TypeScript names of this aggregate.
    const claimed = new Map<string, string>([[aggregate.name, 'the aggregate']]);
    const claim = (name: string, node: object, what: string) => {
      if ((primitiveNames as readonly string[]).includes(name) || name === 'map') {
        ctx.report({ code: 'ESG134', node, part: 'key', message: `${what} \`${name}\` has the name of a built-in type`, hint: 'choose another name' });
        return;
      }
      if (!local) return;
      const previous = claimed.get(name);
      if (previous !== undefined) {
        ctx.report({ code: 'ESG134', node, part: 'key', message: `${what} \`${name}\` has the same name as ${previous} in this file`, hint: 'names of the aggregate, types, events and read models must differ' });
      } else claimed.set(name, `${what} \`${name}\``);
    };
    // Type names the generated code declares for this aggregate (see generator/emit/names.ts).
    const generated = aggregateTypeNames(aggregate.name);
    for (const [name, what] of [
      [generated.stateInterface, 'the generated state interface'],
      [generated.baseClass, 'the generated base class'],
      [generated.eventMap, 'the generated event map'],
      [generated.eventUnion, 'the generated event union'],
      // bus.ts, only for an aggregate with public events.
      ...(typeAggregate(aggregate).publicEvents.length > 0
        ? ([
            [generated.publicEventMap, 'the generated map of public events'],
            [generated.subjects, 'the generated subjects'],
          ] as const)
        : []),
    ] as const) {
      if (!claimed.has(name)) claimed.set(name, `${what} \`${name}\``);
    }
    for (const event of aggregate.events) {
      const names = eventNames(event.name, event.version);
      for (const version of readableVersions(event).slice(0, -1)) claimed.set(names.payloadOfVersion(version.version), `the generated payload of \`${event.name}\` v${version.version}`);
    }
    for (const model of aggregate.readModels) claimed.set(readModelNames(model.name).row, `the generated row interface of \`${model.name}\``);
    // Value names derived in camelCase (`orderItemCheck`, `orderStatusValues`, `httpStatsReadModel`):
    // two spec names that differ only in the case of their leading capitals would share one.
    const derivedValues = new Map<string, string>();
    const claimDerived = (derived: string, node: object, what: string) => {
      if (!local) return;
      const previous = derivedValues.get(derived);
      if (previous !== undefined) {
        ctx.report({ code: 'ESG161', node, part: 'key', message: `${what} and ${previous} would both generate \`${derived}\``, hint: 'names that differ only in the case of their leading capitals map to the same generated name: rename one of them' });
      } else derivedValues.set(derived, what);
    };
    for (const type of aggregate.types) {
      claimDerived(checkName(type.name), type, `the type \`${type.name}\``);
      if (type.kind === 'enum') claimDerived(enumValuesName(type.name), type, `the enum \`${type.name}\``);
    }
    for (const model of aggregate.readModels) claimDerived(readModelNames(model.name).definition, model, `the read model \`${model.name}\``);

    for (const type of local ? aggregate.types : []) {
      checkIdentifier(type.name, type, 'the type name', true);
      claim(type.name, type, 'the type');
      if (type.kind === 'record') checkFields(type.fields, 'the field name');
      else {
        const seen = new Set<string>();
        type.values.forEach((value, i) => {
          if (seen.has(value)) ctx.report({ code: 'ESG154', node: type, below: ['enum', i], message: `the enum \`${type.name}\` lists \`${value}\` twice`, hint: 'remove the duplicate' });
          seen.add(value);
        });
      }
    }
    if (local) checkFields(aggregate.state, 'the state field name');

    for (const event of aggregate.events) {
      if (local) {
        checkIdentifier(event.name, event, 'the event name', true);
        claim(event.name, event, 'the event');
        for (const version of event.versions) checkFields(version.fields, 'the field name');
      }
      const owner = eventOwners.get(event.name);
      if (owner && owner !== aggregate) {
        ctx.report({
          code: 'ESG133',
          node: event,
          part: 'key',
          message: `the event \`${event.name}\` is also declared by the aggregate \`${owner.name}\` (${owner.file})`,
          hint: 'rename one of them: event type names are stored in the event log and must be unique across all aggregates',
        });
      } else eventOwners.set(event.name, aggregate);
    }

    for (const model of aggregate.readModels) {
      if (local) {
        checkIdentifier(model.name, model, 'the read-model name', true);
        claim(model.name, model, 'the read model');
        for (const field of model.fields) {
          checkIdentifier(field.name, field, 'the field name');
          checkOptional(field, field);
        }
      }
      const owner = readModelOwners.get(model.name);
      if (owner && owner !== aggregate) {
        ctx.report({ code: 'ESG156', node: model, part: 'key', message: `the read model \`${model.name}\` is also declared by the aggregate \`${owner.name}\` (${owner.file})`, hint: 'read-model names must be unique across the domain' });
      } else readModelOwners.set(model.name, aggregate);

      if (local) checkProjectionName(ctx, model);
      // Within one aggregate a duplicate is local; across aggregates it is the domain's.
      const previous = projections.get(model.projection);
      if (previous !== undefined) {
        if ((previous.aggregate === aggregate) === local) {
          ctx.report({ code: 'ESG146', node: model, below: ['projection'], message: `the projection name \`${model.projection}\` is already used by ${previous.description}`, hint: 'each read model needs its own projection name' });
        }
      } else projections.set(model.projection, { aggregate, description: `the read model \`${model.name}\` (${aggregate.file})` });
    }
  }
}

/** ESG130/ESG131: a name that is not an identifier, or is reserved (a type name also not a TypeScript built-in). */
export function checkIdentifierName(ctx: CheckContext, name: string, node: object, what: string, isTypeName = false): void {
  if (!identifier.test(name)) {
    ctx.report({
      code: 'ESG130',
      node,
      part: 'key',
      message: `${what} \`${name}\` is not a valid identifier`,
      hint: 'use letters, digits and `_`, not starting with a digit (e.g. `orderTotal`, `OrderPlaced`)',
    });
  } else if (reservedWords.has(name)) {
    const special = name === '__proto__' || name === 'constructor' || name === 'prototype';
    ctx.report({ code: 'ESG131', node, part: 'key', message: `${what} \`${name}\` is ${special ? 'reserved on every JavaScript object' : 'a reserved word in TypeScript'}`, hint: 'choose another name' });
  } else if (isTypeName && reservedTypeNames.has(name)) {
    ctx.report({ code: 'ESG131', node, part: 'key', message: `${what} \`${name}\` is a built-in TypeScript type`, hint: 'choose another name' });
  }
}

// TypeScript gives every object literal the members of Object.prototype: one without an optional
// `toString` is not assignable to a type whose `toString?: string` it would then mistype.
export function checkOptionalName(ctx: CheckContext, field: { name: string; optional: boolean }, node: object): void {
  if (field.optional && objectMembers.has(field.name)) {
    ctx.report({ code: 'ESG131', node, part: 'key', message: `the optional field \`${field.name}\` is named like a method every JavaScript object has, which TypeScript would take for it when the field is absent`, hint: 'make the field required, or give it another name' });
  }
}

/** ESG145: a projection name is the `projection_name` of SQL statements, so it must be a safe identifier. */
export function checkProjectionName(ctx: CheckContext, model: ReadModelDef): void {
  if (sqlIdentifier.test(model.projection)) return;
  ctx.report({
    code: 'ESG145',
    node: model,
    below: ['projection'],
    message: `the projection name \`${model.projection}\` is not a safe SQL identifier`,
    hint: `use lower-case letters, digits and \`_\`, starting with a letter or \`_\`, at most 63 characters (e.g. \`${suggestSqlName(model.projection)}\`)`,
  });
}

export function suggestSqlName(name: string): string {
  const snake = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^([0-9])/, '_$1')
    .slice(0, 63);
  return snake || 'my_projection';
}
