/**
 * `<aggregate>/upcasters.ts`: one typed function per step (V<n> → V<n+1>) and, per event, the
 * chain from any stored version to the current one. Declarative steps (add, rename, remove) are
 * written out field by field, so the compiler checks that each step really produces the next
 * version; `custom` steps are imported from the user-owned `<source>/<aggregate>.upcasters.ts`.
 */
import type { AggregateDef, EventDef, EventVersionDef, UpcastOp } from '../ir/types.js';
import { type EmitContext, type EmittedFile, printSourceFile, relativeImport, sourcePath } from './emit-context.js';
import { supportPath } from './emit-support.js';
import { aggregateNames, eventNames, propertyKey, stringLiteral } from './names.js';
import { jsonLiteral } from './type-expressions.js';

export interface CustomUpcastStep {
  readonly event: string;
  readonly fromVersion: number;
  readonly functionName: string;
  readonly input: string;
  readonly output: string;
}

/** The custom steps of an aggregate, in spec order: what the user-owned file must export. */
export function customUpcastSteps(aggregate: AggregateDef): CustomUpcastStep[] {
  return aggregate.events.flatMap((event) =>
    event.versions
      .filter((version) => version.upcast?.kind === 'custom')
      .map((version) => {
        const names = eventNames(event.name);
        return {
          event: event.name,
          fromVersion: version.version,
          functionName: names.upcastStep(version.version),
          input: names.payloadOfVersion(version.version),
          output: names.payloadOfVersion(version.version + 1),
        };
      }),
  );
}

export function userUpcastersFile(aggregate: AggregateDef): string {
  return `${aggregateNames(aggregate.name).kebab}.upcasters.ts`;
}

export function emitUpcasters(aggregate: AggregateDef, context: EmitContext): EmittedFile {
  const names = aggregateNames(aggregate.name);
  const path = `${names.kebab}/upcasters.ts`;
  const custom = customUpcastSteps(aggregate);
  // Version interfaces only of versioned events: single-version events need just the current payload type.
  const payloadTypes = aggregate.events.flatMap((event) => [
    eventNames(event.name).payload,
    ...(event.versions.length > 1 ? event.versions.map((version) => eventNames(event.name).payloadOfVersion(version.version)) : []),
  ]);
  const statements: string[] = [`import type { ${payloadTypes.join(', ')} } from './events.js';`];
  if (aggregate.events.some((event) => event.versions.length === 1)) statements.push(`import { onlyVersion } from ${stringLiteral(relativeImport(path, supportPath))};`);
  if (custom.length > 0) {
    const userFile = relativeImport(path, sourcePath(context, userUpcastersFile(aggregate)));
    statements.push(`import { ${custom.map((step) => step.functionName).join(', ')} } from ${stringLiteral(userFile)};`);
  }
  for (const event of aggregate.events) statements.push(...eventUpcasters(event));
  return { path, spec: aggregate.file, text: printSourceFile(context, path, statements) };
}

function eventUpcasters(event: EventDef): string[] {
  const names = eventNames(event.name);
  const statements: string[] = [];
  for (const version of event.versions) {
    const next = event.versions[version.version];
    if (!version.upcast || !next || version.upcast.kind === 'custom') continue;
    statements.push(
      `/** ${event.name} v${version.version} → v${next.version}: ${version.upcast.ops.map(describeOp).join(', ') || 'same fields'}. */\nexport function ${names.upcastStep(version.version)}(data: ${names.payloadOfVersion(version.version)}): ${names.payloadOfVersion(next.version)} {\n  return ${declarativeStep(version, next, version.upcast.ops)};\n}`,
    );
  }
  if (event.versions.length === 1) {
    // Nothing to upcast: only version 1 exists.
    statements.push(`export function ${names.upcaster}(fromVersion: number, data: unknown): ${names.payload} {\n  return onlyVersion<${names.payload}>(${stringLiteral(event.name)}, fromVersion, data);\n}`);
    return statements;
  }
  const cases = event.versions.map((version) => {
    let expression = `data as ${names.payloadOfVersion(version.version)}`;
    for (let step = version.version; step < event.version; step += 1) expression = `${names.upcastStep(step)}(${expression})`;
    return `case ${version.version}:\n return ${expression};`;
  });
  statements.push(
    `/** Takes a payload of ${event.name} stored at any version to the current version (identity for v${event.version}). The payload must be valid for its version. */\nexport function ${names.upcaster}(fromVersion: number, data: unknown): ${names.payload} {\n  switch (fromVersion) {\n${cases.join('\n')}\ndefault:\n throw new RangeError(\`${event.name} has no payload version \${fromVersion} (known: 1..${event.version})\`);\n  }\n}`,
  );
  return statements;
}

function describeOp(op: UpcastOp): string {
  switch (op.kind) {
    case 'add':
      return `add ${op.field} = ${JSON.stringify(op.value)}`;
    case 'rename':
      return `rename ${op.from} to ${op.to}`;
    case 'remove':
      return `remove ${op.field}`;
  }
}

/**
 * The next version's object, field by field: each target field comes from an `add` (a literal)
 * or from a field of the input (renamed or kept). Optional inputs are copied only when present,
 * so an absent field stays absent instead of becoming `undefined`.
 */
function declarativeStep(from: EventVersionDef, to: EventVersionDef, ops: readonly UpcastOp[]): string {
  type Source = { kind: 'field'; name: string; optional: boolean } | { kind: 'literal'; text: string };
  const sources = new Map<string, Source>(from.fields.map((field) => [field.name, { kind: 'field', name: field.name, optional: field.optional }]));
  for (const op of ops) {
    if (op.kind === 'add') sources.set(op.field, { kind: 'literal', text: jsonLiteral(op.value) });
    else if (op.kind === 'remove') sources.delete(op.field);
    else {
      const source = sources.get(op.from);
      sources.delete(op.from);
      if (source) sources.set(op.to, source);
    }
  }
  const required: string[] = [];
  const optional: string[] = [];
  for (const field of to.fields) {
    const source = sources.get(field.name);
    if (!source) continue; // an optional field nothing provides stays absent (the validator rejected anything else)
    const key = propertyKey(field.name);
    if (source.kind === 'literal') required.push(`${key}: ${source.text}`);
    else if (!source.optional) required.push(`${key}: data.${source.name}`);
    else optional.push(`...(data.${source.name} !== undefined ? { ${key}: data.${source.name} } : {})`);
  }
  const entries = [...required, ...optional];
  return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
}
