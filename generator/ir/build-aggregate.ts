import type { DiagnosticCode } from '../diagnostics/diagnostic-codes.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { DocPath } from '../load/yaml-locator.js';
import {
  parseApplyRule,
  parseEventReference,
  parseOperand,
  parseSubject,
  parseTypeExpression,
  splitBucket,
  type Parsed,
} from './parse-expressions.js';
import { parseMappingOperand } from './parse-arithmetic.js';
import type { SpecOrigins } from './spec-origins.js';
import type { OperandOpName } from '../ops/mapping-ops.js';
import { upcastOpTable } from '../ops/upcast-ops.js';
import type {
  AggregateDef,
  ApplyRule,
  EventDef,
  ElementValue,
  EventVersionDef,
  FieldDef,
  KeyedListOp,
  JsonValue,
  KeyBucket,
  MappingOp,
  MappingRule,
  ReadModelDef,
  ReadModelFieldDef,
  ReadModelKey,
  RetiredEventDef,
  SubjectDef,
  TypeRef,
  UpcastOp,
  UpcastStep,
  ValueExpr,
  ValueTypeDef,
} from './types.js';

/** A spec file's content after it passed the JSON Schema (so shapes are known, names are not checked). */
type Raw = Record<string, unknown>;

const unknownType: TypeRef = { kind: 'named', name: '?' };

/**
 * Builds one aggregate's IR from a schema-valid spec document. Reports expression syntax errors
 * (types, value expressions, keys: ESG114–116) and version gaps (ESG140–141); every other check
 * runs on the finished IR. Records each node's YAML origin for those checks.
 */
export function buildAggregate(file: string, spec: Raw, origins: SpecOrigins): { aggregate: AggregateDef; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const report = (code: DiagnosticCode, path: DocPath, message: string, hint?: string, part: 'key' | 'value' = 'value') => {
    diagnostics.push({ code, severity: 'error', message, ...origins.spanAt(file, path, part), ...(hint ? { hint } : {}) });
  };
  const loc = (path: DocPath) => origins.loc(file, path, 'key');
  const record = <T extends object>(node: T, path: DocPath): T => {
    origins.record(node, file, path);
    return node;
  };
  const expect = <T>(parsed: Parsed<T>, code: DiagnosticCode, path: DocPath): T | undefined => {
    if (parsed.ok) return parsed.value;
    if (parsed.at) {
      // Point at the character where the expression went wrong, when the scalar sits on one line
      // as written (plain, or quoted without escapes: one quote before the text).
      const span = origins.spanAt(file, path, 'value');
      const width = span.endColumn - span.column;
      const quote = width === parsed.at.text.length ? 0 : width === parsed.at.text.length + 2 ? 1 : undefined;
      if (span.line === span.endLine && quote !== undefined) {
        const column = span.column + quote + Math.min(parsed.at.index, Math.max(parsed.at.text.length - 1, 0));
        diagnostics.push({ code: parsed.code ?? code, severity: 'error', message: parsed.message, ...span, column, endColumn: column + 1, ...(parsed.hint ? { hint: parsed.hint } : {}) });
        return undefined;
      }
    }
    report(parsed.code ?? code, path, parsed.message, parsed.hint);
    return undefined;
  };

  const typeAt = (text: unknown, path: DocPath): { type: TypeRef; optional: boolean } =>
    expect(parseTypeExpression(text), 'ESG114', path) ?? { type: unknownType, optional: false };

  const buildField = (name: string, raw: unknown, path: DocPath): FieldDef => {
    if (typeof raw === 'string' || Array.isArray(raw)) {
      const { type, optional } = typeAt(raw, path);
      return record({ kind: 'field', name, type, optional, pii: false, loc: loc(path) }, path);
    }
    const long = raw as { type: unknown; optional?: boolean; pii?: boolean; redacted?: JsonValue; default?: JsonValue; description?: string };
    const { type, optional } = typeAt(long.type, [...path, 'type']);
    return record(
      {
        kind: 'field',
        name,
        type,
        optional: optional || long.optional === true,
        pii: long.pii === true,
        ...(long.redacted !== undefined ? { redacted: long.redacted } : {}),
        ...(long.default !== undefined ? { default: long.default } : {}),
        ...(long.description !== undefined ? { description: long.description } : {}),
        loc: loc(path),
      },
      path,
    );
  };

  const buildFields = (raw: unknown, path: DocPath): FieldDef[] =>
    Object.entries((raw ?? {}) as Raw).map(([name, value]) => buildField(name, value, [...path, name]));

  const name = spec.aggregate as string; // undefined in a read-model file (only readModels:)
  const idType: TypeRef = { kind: 'primitive', name: spec.id === 'uuid' ? 'uuid' : 'string' };

  const types: ValueTypeDef[] = Object.entries((spec.types ?? {}) as Raw).map(([typeName, raw]) => {
    const path = ['types', typeName];
    const value = raw as Raw;
    const description = typeof value.description === 'string' && (Array.isArray(value.enum) || isPlainObject(value.fields)) ? value.description : undefined;
    if (Array.isArray(value.enum)) {
      return record({ kind: 'enum', name: typeName, values: value.enum as string[], ...(description !== undefined ? { description } : {}), loc: loc(path) }, path);
    }
    const longForm = isPlainObject(value.fields) && Object.keys(value).every((k) => k === 'fields' || k === 'description');
    const fields = longForm ? buildFields(value.fields, [...path, 'fields']) : buildFields(value, path);
    return record({ kind: 'record', name: typeName, fields, ...(description !== undefined ? { description } : {}), loc: loc(path) }, path);
  });

  const state = buildFields(spec.state, ['state']);

  // A retired event keeps its name (its locked versions stay in esgen.lock) and nothing else.
  const retiredEvents: RetiredEventDef[] = Object.entries((spec.events ?? {}) as Raw)
    .filter(([, raw]) => (raw as Raw | null)?.retired === true)
    .map(([eventName]) => record<RetiredEventDef>({ kind: 'retiredEvent', name: eventName, loc: loc(['events', eventName]) }, ['events', eventName]));
  const liveEvents = Object.entries((spec.events ?? {}) as Raw).filter(([, raw]) => (raw as Raw | null)?.retired !== true);

  const events: EventDef[] = liveEvents.map(([eventName, raw]) => {
    const path = ['events', eventName];
    const event = (raw ?? {}) as Raw;
    const current = typeof event.version === 'number' ? event.version : 1;
    const history = (event.history ?? {}) as Raw;
    const versions: EventVersionDef[] = [];
    for (const key of Object.keys(history)) {
      const v = Number(key);
      if (v >= current) {
        report(
          'ESG140',
          [...path, 'history', key],
          `\`${eventName}\` is at version ${current}, so \`history\` can only hold older versions (below ${current}), not ${v}`,
          `set \`version: ${v + 1}\` if ${v} is an older version`,
          'key',
        );
      }
    }
    const missing: number[] = [];
    for (let v = 1; v < current; v++) if (history[String(v)] === undefined) missing.push(v);
    if (missing.length > 0) {
      report(
        'ESG140',
        typeof event.version === 'number' ? [...path, 'version'] : path,
        `\`${eventName}\` is at version ${current} but \`history\` does not describe version${missing.length === 1 ? '' : 's'} ${formatRanges(missing)}`,
        `add \`history: { ${missing[0]}: { fields: {...}, upcast: ... } }\`; versions must be 1..${current}`,
      );
    }
    for (let v = 1; v < current; v++) {
      const entry = history[String(v)] as Raw | undefined;
      const versionPath = [...path, 'history', String(v)];
      if (entry === undefined) {
        versions.push(record({ kind: 'eventVersion', version: v, fields: [], upcast: record<UpcastStep>({ kind: 'custom', loc: loc(path) }, path), loc: loc(path) }, path));
        continue;
      }
      if (entry.retired === true) {
        const extra = ['fields', 'upcast', 'draft'].filter((key) => entry[key] !== undefined);
        if (extra.length > 0) {
          report(
            'ESG179',
            versionPath,
            `version ${v} of \`${eventName}\` is retired but still declares ${extra.map((key) => `\`${key}\``).join(', ')}: nothing reads a retired version`,
            'write the version as `{ retired: true }` alone',
            'key',
          );
        }
        const kept = versions.find((earlier) => !earlier.retired);
        if (kept) {
          report(
            'ESG179',
            versionPath,
            `version ${v} of \`${eventName}\` is retired, but version ${kept.version} is kept and its stored events upcast through version ${v}`,
            `retire version ${kept.version} too (and every version before ${v}), or keep version ${v}`,
            'key',
          );
        }
        versions.push(record<EventVersionDef>({ kind: 'eventVersion', version: v, fields: [], retired: true, loc: loc(versionPath) }, versionPath));
        continue;
      }
      const upcast = buildUpcast(entry.upcast, [...versionPath, 'upcast']);
      if (!upcast) {
        report(
          'ESG141',
          versionPath,
          `version ${v} of \`${eventName}\` has no \`upcast\`, so stored version-${v} events cannot reach version ${v + 1}`,
          'add `upcast: { add: {...}, rename: {...}, remove: [...] }` or `upcast: custom`',
          'key',
        );
      }
      versions.push(
        record(
          {
            kind: 'eventVersion',
            version: v,
            fields: buildFields(entry.fields, [...versionPath, 'fields']),
            ...(upcast ? { upcast } : {}),
            ...(entry.draft === true ? { draft: true as const } : {}),
            loc: loc(versionPath),
          },
          versionPath,
        ),
      );
    }
    versions.push(
      record<EventVersionDef>(
        { kind: 'eventVersion', version: current, fields: buildFields(event.fields, [...path, 'fields']), ...(event.draft === true ? { draft: true as const } : {}), loc: loc(path) },
        path,
      ),
    );

    let apply: ApplyRule[] | undefined;
    if (event.apply !== undefined) {
      apply = Object.entries(event.apply as Raw).flatMap(([target, rawValue]) => {
        const rulePath = [...path, 'apply', target];
        const parsed = expect(parseApplyRule(rawValue), 'ESG115', rulePath);
        return parsed ? [record<ApplyRule>({ kind: 'applyRule', target, ...parsed, loc: loc(rulePath) }, rulePath)] : [];
      });
    }
    let subject: SubjectDef | undefined;
    if (typeof event.subject === 'string') {
      const subjectPath = [...path, 'subject'];
      // One that does not parse keeps a placeholder, so the checks do not add "no subject" (ESG181) to ESG184.
      const value = expect(parseSubject(event.subject), 'ESG184', subjectPath) ?? { kind: 'envelope', field: 'aggregateId' };
      subject = record<SubjectDef>({ kind: 'subject', value, loc: loc(subjectPath) }, subjectPath);
    }
    return record<EventDef>(
      {
        kind: 'event',
        name: eventName,
        aggregate: name,
        version: current,
        versions,
        ...(apply ? { apply } : {}),
        ...(event.handler === true ? { handler: true as const } : {}),
        ...(typeof event.publish === 'boolean' ? { publish: event.publish } : {}),
        ...(subject ? { subject } : {}),
        ...(typeof event.description === 'string' ? { description: event.description } : {}),
        loc: loc(path),
      },
      path,
    );
  });

  function buildUpcast(raw: unknown, path: DocPath): UpcastStep | undefined {
    if (raw === undefined) return undefined;
    if (raw === 'custom') return record<UpcastStep>({ kind: 'custom', loc: loc(path) }, path);
    const spec = raw as { rename?: Record<string, string>; remove?: string[]; add?: Record<string, JsonValue> };
    // Fixed order, whatever the key order in YAML (the upcast-operation table's order: rename, remove, add).
    const ops: UpcastOp[] = [
      ...Object.entries(spec.rename ?? {}).map(([from, to]) => record<UpcastOp>({ kind: 'rename', from, to }, [...path, 'rename', from])),
      ...(spec.remove ?? []).map((field, i) => record<UpcastOp>({ kind: 'remove', field }, [...path, 'remove', i])),
      ...Object.entries(spec.add ?? {}).map(([field, value]) => record<UpcastOp>({ kind: 'add', field, value }, [...path, 'add', field])),
    ].sort((a, b) => upcastOpTable[a.kind].order - upcastOpTable[b.kind].order);
    return record<UpcastStep>({ kind: 'declarative', ops, loc: loc(path) }, path);
  }

  const readModels: ReadModelDef[] = Object.entries((spec.readModels ?? {}) as Raw).map(([modelName, raw]) => {
    const path = ['readModels', modelName];
    const model = raw as Raw;
    const mentioned: string[] = [];
    const mention = (event: string) => {
      if (!mentioned.includes(event)) mentioned.push(event);
    };

    const fields: ReadModelFieldDef[] = Object.entries((model.fields ?? {}) as Raw).map(([fieldName, rawField]) => {
      const fieldPath = [...path, 'fields', fieldName];
      const field = rawField as Raw;
      const { type, optional } = typeAt(field.type, [...fieldPath, 'type']);
      const rules: MappingRule[] = [];
      // Rules in the order `from` and `on` appear in the YAML.
      for (const key of Object.keys(field)) {
        if (key === 'from') {
          const sources = Array.isArray(field.from) ? (field.from as string[]) : [field.from as string];
          sources.forEach((source, i) => {
            const sourcePath = Array.isArray(field.from) ? [...fieldPath, 'from', i] : [...fieldPath, 'from'];
            const ref = expect(parseEventReference(source), 'ESG115', sourcePath);
            if (!ref) return;
            mention(ref.event);
            rules.push(record<MappingRule>({ kind: 'mappingRule', event: ref.event, op: { kind: 'set', value: ref.value }, loc: loc(sourcePath) }, sourcePath));
          });
        } else if (key === 'on') {
          for (const [event, rawOp] of Object.entries(field.on as Raw)) {
            const opPath = [...fieldPath, 'on', event];
            const op = buildMappingOp(rawOp, opPath);
            mention(event);
            if (op) rules.push(record<MappingRule>({ kind: 'mappingRule', event, op, loc: loc(opPath) }, opPath));
          }
        }
      }
      return record<ReadModelFieldDef>(
        {
          kind: 'readModelField',
          name: fieldName,
          type,
          optional: optional || field.optional === true,
          ...(field.default !== undefined ? { default: field.default as JsonValue } : {}),
          index: field.index === true,
          unique: field.unique === true,
          rules,
          ...(typeof field.description === 'string' ? { description: field.description } : {}),
          loc: loc(fieldPath),
        },
        fieldPath,
      );
    });

    const deleteOn = (model.delete ?? []) as string[];
    const customOn = (model.custom ?? []) as string[];
    deleteOn.forEach(mention);
    customOn.forEach(mention);
    const key = buildKey(model.key, [...path, 'key']);
    if (key.kind === 'computed') key.sources.forEach((source) => mention(source.event));

    return record<ReadModelDef>(
      {
        kind: 'readModel',
        name: modelName,
        // A read-model file has no aggregate: its read models read events of several.
        ...(name !== undefined ? { aggregate: name } : {}),
        projection: model.projection as string,
        mode: model.mode === 'inline' ? 'inline' : 'async',
        key,
        fields,
        deleteOn,
        customOn,
        events: mentioned,
        ...(typeof model.description === 'string' ? { description: model.description } : {}),
        loc: loc(path),
      },
      path,
    );
  });

  function buildMappingOp(raw: unknown, path: DocPath): MappingOp | undefined {
    if (!isPlainObject(raw)) return { kind: 'set', value: { kind: 'const', value: raw as JsonValue } };
    const [op, operand] = Object.entries(raw)[0]!;
    if (op === 'const') return { kind: 'set', value: { kind: 'const', value: operand as JsonValue } };
    if (op === 'increment') return { kind: 'increment', by: operand as number };
    if (op === 'upsert' || op === 'removeBy' || op === 'decrement') return buildKeyedOp(op, operand as Raw, [...path, op]);
    const value = expect(parseMappingOperand(operand), 'ESG115', [...path, op]);
    if (!value) return undefined;
    return { kind: op as OperandOpName, value };
  }

  /** Element values (`{ sku: sku }`): each recorded at its own YAML node, so checks point at it. */
  function elementValues(raw: unknown, path: DocPath): ElementValue[] {
    return Object.entries((raw ?? {}) as Raw).flatMap(([field, operand]) => {
      const valuePath = [...path, field];
      const value = expect(parseMappingOperand(operand), 'ESG115', valuePath);
      return value ? [record<ElementValue>({ kind: 'elementValue', field, value, loc: loc(valuePath) }, valuePath)] : [];
    });
  }

  function buildKeyedOp(op: KeyedListOp['kind'], raw: Raw, path: DocPath): KeyedListOp | undefined {
    switch (op) {
      case 'upsert': {
        let each: readonly string[] | undefined;
        if (raw.each !== undefined) {
          const parsed = expect(parseOperand(raw.each), 'ESG115', [...path, 'each']);
          // One that is not a payload path keeps an empty path, so its values are not read against the event as well.
          if (parsed && parsed.kind !== 'event') {
            report('ESG166', [...path, 'each'], '`each` names a list in the event payload, not an envelope field or a constant', 'write a payload path such as `items`');
            each = [];
          } else each = parsed ? parsed.path : [];
        }
        return {
          kind: 'upsert',
          key: (raw.key ?? []) as string[],
          values: elementValues(raw.values, [...path, 'values']),
          sum: (raw.sum ?? []) as string[],
          keep: (raw.keep ?? []) as string[],
          ...(each ? { each } : {}),
        };
      }
      case 'removeBy':
        return { kind: 'removeBy', key: elementValues(raw, path) };
      case 'decrement': {
        const field = raw.field as string;
        // `by` defaults to 1, recorded at the operation so a check about it points there.
        const byPath = raw.by === undefined ? path : [...path, 'by'];
        const byValue = raw.by === undefined ? { ok: true as const, value: { kind: 'const' as const, value: 1 } } : parseMappingOperand(raw.by);
        const value = expect(byValue, 'ESG115', byPath);
        if (!value) return undefined;
        const by = record<ElementValue>({ kind: 'elementValue', field, value, loc: loc(byPath) }, byPath);
        return { kind: 'decrement', key: elementValues(raw.key, [...path, 'key']), field, by, removeAtZero: raw.removeAtZero === true };
      }
    }
  }

  function buildKey(raw: unknown, path: DocPath): ReadModelKey {
    if (raw === undefined || raw === '$aggregateId') return { kind: 'aggregateId' };
    const sources: { event: string; value: ValueExpr; bucket?: KeyBucket }[] = [];
    // A source that does not parse keeps a placeholder value, so the event still counts as keyed
    // and the checks do not add a second, misleading error about it.
    const placeholder: ValueExpr = { kind: 'envelope', field: 'aggregateId' };
    const add = (event: string, expression: string, bucket: KeyBucket | undefined, valuePath: DocPath, parse: (text: string) => Parsed<ValueExpr>) => {
      const value = expect(parse(expression), 'ESG116', valuePath) ?? placeholder;
      sources.push(record({ event, value, ...(bucket ? { bucket } : {}) }, valuePath));
    };
    if (typeof raw === 'string') {
      const split = splitBucket(raw);
      const expression = split.ok ? split.value.expression : raw.slice(0, raw.lastIndexOf(':'));
      const ref = expect(parseEventReference(expression), 'ESG116', path);
      if (!ref) return { kind: 'aggregateId' };
      add(ref.event, expression, split.ok ? split.value.bucket : undefined, path, () => (split.ok ? { ok: true, value: ref.value } : split));
    } else {
      for (const [event, text] of Object.entries(raw as Record<string, string>)) {
        const valuePath = [...path, event];
        const split = splitBucket(text);
        add(event, split.ok ? split.value.expression : text, split.ok ? split.value.bucket : undefined, valuePath, (expression) => (split.ok ? parseOperand(expression) : split));
      }
    }
    return record({ kind: 'computed', sources, loc: loc(path) }, path);
  }

  const aggregate = record<AggregateDef>(
    {
      kind: 'aggregate',
      name,
      file,
      idType,
      ...(spec.snapshot ? { snapshotEvery: (spec.snapshot as { every: number }).every } : {}),
      types,
      state,
      events,
      readModels,
      ...(typeof spec.publish === 'boolean' ? { publish: spec.publish } : {}),
      ...(retiredEvents.length > 0 ? { retiredEvents } : {}),
      ...(typeof spec.description === 'string' ? { description: spec.description } : {}),
      loc: loc(['aggregate']),
    },
    [],
  );
  return { aggregate, diagnostics };
}

/** `1, 3-5, 9`: versions listed compactly. */
function formatRanges(numbers: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < numbers.length; ) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j]! + 1) j++;
    parts.push(j === i ? `${numbers[i]}` : `${numbers[i]}-${numbers[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
