/**
 * Renders a random aggregate as spec YAML, varying the style the way people write it: block and
 * flow mappings, short and long field forms, `T[]` / `[T]` / quoted lists, `T?` and
 * `optional: true`, plain / single / double quoted strings, `from:` and `on: { set: }`, comments.
 * Every variation is one the spec reference documents; the style is drawn from its own stream so
 * the domain itself does not depend on it.
 */
import {
  formatTypeExpr,
  type ApplyRule,
  type AggregateModel,
  type EventModel,
  type Field,
  type Json,
  type KeySource,
  type MappingRule,
  type ReadModel,
  type ReadModelField,
  type ReadModelFile,
  type TypeExpr,
  type ValueSource,
  type Operand,
  type ElementValues,
  type ValueType,
} from './domain-model.js';
import type { Random } from './seeded-random.js';

/** A YAML node before layout: the renderer decides flow or block and how to quote. */
type YamlNode =
  | { readonly kind: 'map'; readonly entries: readonly (readonly [string, YamlNode])[]; readonly layout?: 'flow' | 'block' }
  | { readonly kind: 'seq'; readonly items: readonly YamlNode[]; readonly layout?: 'flow' | 'block' }
  | { readonly kind: 'scalar'; readonly value: string | number | boolean | null };

const map = (entries: readonly (readonly [string, YamlNode] | undefined | false)[], layout?: 'flow' | 'block'): YamlNode => ({
  kind: 'map',
  entries: entries.filter((e): e is readonly [string, YamlNode] => Boolean(e)),
  ...(layout ? { layout } : {}),
});
const seq = (items: readonly YamlNode[], layout?: 'flow' | 'block'): YamlNode => ({ kind: 'seq', items, ...(layout ? { layout } : {}) });
const scalar = (value: string | number | boolean | null): YamlNode => ({ kind: 'scalar', value });

export function renderSpec(aggregate: AggregateModel, random: Random): string {
  const r = new SpecRenderer(random);
  const sections: [string, YamlNode][] = [
    ['aggregate', scalar(aggregate.name)],
    ...(aggregate.description !== undefined ? [['description', r.text(aggregate.description)] as [string, YamlNode]] : []),
    ...(aggregate.idExplicit ? [['id', scalar(aggregate.idType)] as [string, YamlNode]] : []),
    ...(aggregate.snapshotEvery !== undefined ? [['snapshot', map([['every', scalar(aggregate.snapshotEvery)]])] as [string, YamlNode]] : []),
    ...(aggregate.types.length > 0 || random.chance(0.1) ? [['types', map(aggregate.types.map((t) => [t.name, r.valueType(t)]))] as [string, YamlNode]] : []),
    ...(aggregate.state.length > 0 || random.chance(0.2) ? [['state', r.fields(aggregate.state)] as [string, YamlNode]] : []),
    ['events', map(aggregate.events.map((e) => [e.name, r.event(e)]))],
    ...(aggregate.readModels.length > 0 || random.chance(0.1) ? [['readModels', map(aggregate.readModels.map((m) => [m.name, r.readModel(m)]))] as [string, YamlNode]] : []),
  ];
  // `aggregate:` usually comes first; the language does not care.
  const ordered = random.chance(0.8) ? sections : random.shuffle(sections);
  const header = random.chance(0.5) ? '# yaml-language-server: $schema=../node_modules/esgen/schemas/esgen.schema.json\n' : '';
  return `${header}${r.layoutDocument(ordered)}`;
}

/** A read-model file: no `aggregate:`, an optional description and its read models (keyed per event). */
export function renderReadModelFile(file: ReadModelFile, random: Random): string {
  const r = new SpecRenderer(random);
  const sections: [string, YamlNode][] = [
    ...(file.description !== undefined ? [['description', r.text(file.description)] as [string, YamlNode]] : []),
    ['readModels', map(file.readModels.map((m) => [m.name, r.readModel(m)]))],
  ];
  return r.layoutDocument(random.chance(0.8) ? sections : random.shuffle(sections));
}

class SpecRenderer {
  constructor(readonly random: Random) {}

  text(value: string): YamlNode {
    return scalar(value);
  }

  /** `string`, `Item[]`, `[Item]`, `map<integer>`, with `?` or long-form optional. */
  typeNode(type: TypeExpr, optional: boolean): YamlNode {
    const text = formatTypeExpr(type);
    if (optional) return scalar(`${text}?`);
    // `[T]` is the flow-friendly spelling of a list; nested lists work the same way.
    if (type.kind === 'list' && this.random.chance(0.3)) return seq([this.typeNode(type.element, false)], 'flow');
    return scalar(text);
  }

  field(field: Field | ReadModelField, extras: readonly (readonly [string, YamlNode])[] = [], forceLong = false): YamlNode {
    const hasExtras = extras.length > 0 || field.description !== undefined || ('pii' in field && field.pii) || field.default !== undefined;
    if (!hasExtras && !forceLong && this.random.chance(0.75)) return this.typeNode(field.type, field.optional);
    const optionalAsKey = field.optional && this.random.chance(0.5);
    return map([
      ['type', this.typeNode(field.type, field.optional && !optionalAsKey)],
      optionalAsKey && ['optional', scalar(true)],
      !field.optional && this.random.chance(0.05) && ['optional', scalar(false)],
      'pii' in field && field.pii === true && ['pii', scalar(true)],
      field.default !== undefined && ['default', this.json(field.default)],
      field.description !== undefined && ['description', this.text(field.description)],
      ...extras,
    ]);
  }

  fields(fields: readonly Field[]): YamlNode {
    return map(fields.map((f) => [f.name, this.field(f)]));
  }

  valueType(type: ValueType): YamlNode {
    if (type.kind === 'enum') {
      return map([['enum', seq(type.values.map((v) => this.enumValue(v)))], type.description !== undefined && ['description', this.text(type.description)]]);
    }
    // Short form: the fields themselves. A record that has a field named `enum` or `fields`, a
    // description, or no fields at all... (`{}` is a valid empty record too) uses the long form when needed.
    const needsLong = type.description !== undefined || type.fields.some((f) => f.name === 'enum' || f.name === 'fields');
    if (needsLong || this.random.chance(0.3)) {
      return map([['fields', this.fields(type.fields)], type.description !== undefined && ['description', this.text(type.description)]]);
    }
    return this.fields(type.fields);
  }

  enumValue(value: string): YamlNode {
    return scalar(value);
  }

  event(event: EventModel): YamlNode {
    const versions = event.versions;
    const current = versions.at(-1)!;
    const entries: [string, YamlNode][] = [];
    if (current.version > 1 || this.random.chance(0.05)) entries.push(['version', scalar(current.version)]);
    if (event.description !== undefined) entries.push(['description', this.text(event.description)]);
    if (current.fields.length > 0 || this.random.chance(0.15)) entries.push(['fields', this.fields(current.fields)]);
    // Personal data needs a subject (ESG181); value types never carry `pii` in random domains.
    if (current.fields.some((field) => 'pii' in field && field.pii === true)) entries.push(['subject', scalar('$aggregateId')]);
    if (versions.length > 1) {
      entries.push([
        'history',
        map(
          versions.slice(0, -1).map((version) => [
            String(version.version),
            map([
              ['fields', this.fields(version.fields)],
              ['upcast', version.upcast!.kind === 'custom' ? scalar('custom') : this.upcast(version.upcast!)],
            ]),
          ]),
        ),
      ]);
    }
    if (event.apply) entries.push(['apply', map(event.apply.map((rule) => [rule.target, this.applyRule(rule)]))]);
    if (event.apply && event.handler) entries.push(['handler', scalar(true)]);
    if (entries.length === 0) {
      // An event without payload, apply or history: `{}`, `~` or nothing at all.
      return this.random.weighted<YamlNode>([
        [3, map([], 'flow')],
        [1, scalar(null)],
      ]);
    }
    return map(entries);
  }

  upcast(upcast: Extract<NonNullable<EventModel['versions'][number]['upcast']>, { kind: 'declarative' }>): YamlNode {
    const parts: [string, YamlNode][] = [];
    if (upcast.rename.length > 0) parts.push(['rename', map(upcast.rename.map(([from, to]) => [from, scalar(to)]))]);
    if (upcast.remove.length > 0) parts.push(['remove', seq(upcast.remove.map((name) => scalar(name)))]);
    if (upcast.add.length > 0) parts.push(['add', map(upcast.add.map(([field, value]) => [field, this.json(value)]))]);
    // Applied as rename, remove, add whatever the key order.
    return map(this.random.chance(0.3) ? this.random.shuffle(parts) : parts);
  }

  /** A constant as YAML: any JSON value, quoted where YAML would read it as another type. */
  json(value: Json): YamlNode {
    if (value === null) return scalar(null);
    if (Array.isArray(value)) return seq(value.map((item) => this.json(item)));
    if (typeof value === 'object') return map(Object.entries(value).map(([key, item]) => [key, this.json(item)]));
    return scalar(value as string | number | boolean);
  }

  /** An `apply` rule: a value (short form), or `{ entry?, set | add | subtract | remove }` in any key order. */
  applyRule(rule: ApplyRule): YamlNode {
    if (!rule.op && !rule.entry && !rule.longForm) return this.applyValue(rule.value);
    const parts: [string, YamlNode][] = [];
    if (rule.entry) parts.push(['entry', this.applyValue(rule.entry)]);
    parts.push(rule.op === 'remove' ? ['remove', scalar(true)] : [rule.op ?? 'set', this.applyValue(rule.value)]);
    return map(this.random.chance(0.3) ? this.random.shuffle(parts) : parts, this.random.chance(0.5) ? 'flow' : undefined);
  }

  /** `apply` values: `event.path`, `$envelope`, or a constant (objects and look-alike strings as `{ const: … }`). */
  applyValue(value: ValueSource): YamlNode {
    if (value.kind === 'event') return scalar(`event.${value.path.join('.')}`);
    if (value.kind === 'envelope') return scalar(`$${value.field}`);
    const constant = value.value;
    const needsConst =
      (typeof constant === 'object' && constant !== null && !Array.isArray(constant)) || (typeof constant === 'string' && (constant.startsWith('event.') || constant.startsWith('$')));
    if (needsConst || this.random.chance(0.15)) return map([['const', this.json(constant)]]);
    return this.json(constant);
  }

  /** Operands of `set`, `add`, `min`, `max`, `append`: a payload path (with or without `event.`), an envelope value, or a constant. */
  operand(value: ValueSource): YamlNode {
    if (value.kind === 'event') return scalar(this.payloadPath(value.path, 0.3));
    if (value.kind === 'envelope') return scalar(`$${value.field}`);
    const constant = value.value;
    // Strings would read as paths: always `{ const: … }`. Numbers, booleans, null and lists may stand alone.
    if (typeof constant === 'string' || (typeof constant === 'object' && constant !== null && !Array.isArray(constant)) || this.random.chance(0.3)) {
      return map([['const', this.json(constant)]]);
    }
    return this.json(constant);
  }

  /** A computed operand as text: `a.b * (c - 2)`, paths with or without `event.`. */
  computedText(value: Operand): string {
    if (value.kind === 'computed') {
      const side = (operand: Operand) => (operand.kind === 'computed' ? `(${this.computedText(operand)})` : this.computedText(operand));
      return `${side(value.left)} ${value.op} ${side(value.right)}`;
    }
    if (value.kind === 'event') return this.payloadPath(value.path, 0.3);
    if (value.kind === 'envelope') return `$${value.field}`;
    return String(value.value);
  }

  /** An operand of a read-model operation: a value source, or a computed expression (a string). */
  ruleOperand(value: Operand): YamlNode {
    return value.kind === 'computed' ? scalar(this.computedText(value)) : this.operand(value);
  }

  elementValues(values: ElementValues): YamlNode {
    return map(values.map(([field, value]) => [field, this.ruleOperand(value)]));
  }

  rule(rule: MappingRule): YamlNode {
    const op = rule.op;
    if (op.kind === 'increment') return map([['increment', scalar(op.by)]]);
    if (op.kind === 'upsert') {
      return map([['upsert', map([
        op.each !== undefined && ['each', scalar(op.each.join('.'))],
        ['key', seq(op.key.map((name) => scalar(name)))],
        ['values', this.elementValues(op.values)],
        op.sum.length > 0 && ['sum', seq(op.sum.map((name) => scalar(name)))],
        op.keep.length > 0 && ['keep', seq(op.keep.map((name) => scalar(name)))],
      ])]]);
    }
    if (op.kind === 'removeBy') return map([['removeBy', this.elementValues(op.key)]]);
    if (op.kind === 'decrement') {
      return map([['decrement', map([
        ['key', this.elementValues(op.key)],
        ['field', scalar(op.field)],
        op.by !== undefined && ['by', this.ruleOperand(op.by)],
        (op.removeAtZero || this.random.chance(0.3)) && ['removeAtZero', scalar(op.removeAtZero)],
      ])]]);
    }
    if (op.kind === 'set' && op.value.kind === 'const') {
      const constant = op.value.value;
      // `Event: value` sets a scalar or list constant; `{ const: value }` any constant.
      const isObject = typeof constant === 'object' && constant !== null && !Array.isArray(constant);
      if (isObject || this.random.chance(0.3)) return map([['const', this.json(constant)]]);
      return this.json(constant);
    }
    return map([[op.kind, this.ruleOperand(op.value)]]);
  }

  readModelField(field: ReadModelField): YamlNode {
    const fromRules = field.rules.filter((rule) => rule.viaFrom);
    const onRules = field.rules.filter((rule) => !rule.viaFrom);
    const fromText = (rule: MappingRule) => {
      const value = (rule.op as { value: ValueSource }).value;
      return `${rule.event}.${value.kind === 'envelope' ? `$${value.field}` : (value as { path: readonly string[] }).path.join('.')}`;
    };
    const extras: [string, YamlNode][] = [];
    if (field.index) extras.push(['index', scalar(true)]);
    if (field.unique) extras.push(['unique', scalar(true)]);
    if (fromRules.length === 1 && this.random.chance(0.7)) extras.push(['from', scalar(fromText(fromRules[0]!))]);
    else if (fromRules.length > 0) extras.push(['from', seq(fromRules.map((rule) => scalar(fromText(rule))))]);
    if (onRules.length > 0) extras.push(['on', map(onRules.map((rule) => [rule.event, this.rule(rule)]))]);
    if (!field.index && !field.unique && this.random.chance(0.05)) extras.push(['index', scalar(false)]);
    return this.field(field, this.random.chance(0.3) ? this.random.shuffle(extras) : extras, true);
  }

  keySource(source: KeySource, withEvent: boolean): string {
    const bucket = source.bucket ? `:${source.bucket}` : '';
    if (source.value.kind === 'envelope') {
      if (withEvent) return `${source.event}.$${source.value.field}${bucket}`;
      this.random.chance(0.2); // drawn as for a payload path: the seeds' random streams stay as they were
      return `$${source.value.field}${bucket}`;
    }
    const path = (source.value as { path: readonly string[] }).path;
    return withEvent ? `${source.event}.${path.join('.')}${bucket}` : `${this.payloadPath(path, 0.2)}${bucket}`;
  }

  /**
   * A payload path where `event.` is optional: written with it at `chance`, and always before a
   * payload field named `event` (a leading `event.` is always read as the prefix). Draws once
   * either way, so the seeds' random streams do not depend on field names.
   */
  payloadPath(path: readonly string[], chance: number): string {
    const prefixed = this.random.chance(chance);
    return `${prefixed || path[0] === 'event' ? 'event.' : ''}${path.join('.')}`;
  }

  readModel(model: ReadModel): YamlNode {
    let key: YamlNode | undefined;
    if (model.key.kind === 'aggregateId') key = model.key.explicit ? scalar('$aggregateId') : undefined;
    else if (model.key.kind === 'single') key = scalar(this.keySource(model.key.source, true));
    else key = map(model.key.sources.map((source) => [source.event, scalar(this.keySource(source, false))]));
    const entries: [string, YamlNode][] = [['projection', scalar(model.projection)]];
    if (model.modeExplicit) entries.push(['mode', scalar(model.mode)]);
    if (model.description !== undefined) entries.push(['description', this.text(model.description)]);
    if (key) entries.push(['key', key]);
    if (model.fields.length > 0 || this.random.chance(0.2)) entries.push(['fields', map(model.fields.map((f) => [f.name, this.readModelField(f)]))]);
    if (model.deleteOn.length > 0) entries.push(['delete', seq(model.deleteOn.map((e) => scalar(e)))]);
    if (model.customOn.length > 0) entries.push(['custom', seq(model.customOn.map((e) => scalar(e)))]);
    return map(this.random.chance(0.2) ? [entries[0]!, ...this.random.shuffle(entries.slice(1))] : entries);
  }

  // Layout -------------------------------------------------------------------------------------

  layoutDocument(sections: readonly (readonly [string, YamlNode])[]): string {
    const lines: string[] = [];
    for (const [key, node] of sections) {
      if (this.random.chance(0.1)) lines.push(`# ${key}`);
      lines.push(...this.blockEntry(key, node, 0));
    }
    return `${lines.join('\n')}\n`;
  }

  /** Lines of `key: value` in block context. */
  blockEntry(key: string, node: YamlNode, indent: number): string[] {
    const pad = ' '.repeat(indent);
    const k = this.key(key, false);
    if (node.kind === 'scalar') return [`${pad}${k}: ${this.scalarText(node, false)}`];
    if (node.kind === 'seq' && node.items.length === 0) return [`${pad}${k}: []`];
    if (node.kind === 'map' && node.entries.length === 0) return [`${pad}${k}: ${node.layout === 'flow' || this.random.chance(0.8) ? '{}' : '{ }'}`];
    if (this.chooseFlow(node)) return [`${pad}${k}: ${this.flow(node)}`];
    const lines = [`${pad}${k}:${this.random.chance(0.05) ? ' # comment' : ''}`];
    const step = this.random.chance(0.8) ? 2 : 4;
    if (node.kind === 'map') for (const [childKey, child] of node.entries) lines.push(...this.blockEntry(childKey, child, indent + step));
    else for (const item of node.items) lines.push(...this.blockItem(item, indent + step));
    return lines;
  }

  blockItem(node: YamlNode, indent: number): string[] {
    const pad = ' '.repeat(indent);
    if (node.kind === 'scalar') return [`${pad}- ${this.scalarText(node, false)}`];
    if ((node.kind === 'map' && node.entries.length === 0) || (node.kind === 'seq' && node.items.length === 0) || this.chooseFlow(node) || node.kind === 'seq') {
      return [`${pad}- ${this.flow(node)}`];
    }
    // `- key: value` with the rest of the mapping indented under the first key.
    const [first, ...rest] = node.entries;
    const firstLines = this.blockEntry(first![0], first![1], indent + 2);
    firstLines[0] = `${pad}- ${firstLines[0]!.slice(indent + 2)}`;
    return [...firstLines, ...rest.flatMap(([key, child]) => this.blockEntry(key, child, indent + 2))];
  }

  chooseFlow(node: YamlNode): boolean {
    if (node.kind === 'scalar') return true;
    if (node.layout) return node.layout === 'flow';
    const size = node.kind === 'map' ? node.entries.length : node.items.length;
    return this.random.chance(size <= 3 ? 0.6 : 0.25);
  }

  flow(node: YamlNode): string {
    if (node.kind === 'scalar') return this.scalarText(node, true);
    if (node.kind === 'seq') return `[${node.items.map((item) => this.flow(item)).join(', ')}]`;
    if (node.entries.length === 0) return '{}';
    return `{ ${node.entries.map(([key, value]) => `${this.key(key, true)}: ${this.flow(value)}`).join(', ')} }`;
  }

  key(key: string, inFlow: boolean): string {
    if (/^[1-9][0-9]*$/.test(key)) return this.random.chance(0.3) ? `'${key}'` : key;
    return plainSafe(key, inFlow) && !this.random.chance(0.03) ? key : doubleQuoted(key);
  }

  scalarText(node: Extract<YamlNode, { kind: 'scalar' }>, inFlow: boolean): string {
    const value = node.value;
    if (value === null) return this.random.pick(['null', '~', 'Null']);
    if (typeof value === 'boolean') return String(value);
    if (typeof value === 'number') return Object.is(value, -0) ? '-0.0' : String(value);
    if (plainSafe(value, inFlow) && this.random.chance(0.85)) return value;
    if (!/[\u0000-\u001f\u007f\u0085\u2028\u2029\ufeff]/.test(value) && this.random.chance(0.5)) return `'${value.replace(/'/g, "''")}'`;
    return doubleQuoted(value);
  }
}

const yamlSpecial = /^(null|Null|NULL|~|true|True|TRUE|false|False|FALSE|\.inf|\.Inf|\.INF|\.nan|\.NaN|\.NAN|[-+]?\.(inf|Inf|INF))$/;
const yamlNumber = /^([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|0x[0-9a-fA-F]+|0o[0-7]+)$/;

/** Whether a string can be written plain and reads back as the same string (YAML 1.2 core schema). */
function plainSafe(value: string, inFlow: boolean): boolean {
  if (value === '' || yamlSpecial.test(value) || yamlNumber.test(value)) return false;
  if (!/^[A-Za-z_$][A-Za-z0-9_$.<>?:\[\] -]*$/.test(value)) return false;
  if (value.endsWith(' ') || value.endsWith(':') || value.includes(': ') || value.includes(' #')) return false;
  if (inFlow && /[[\]{},]/.test(value)) return false;
  // `key: a:b` is fine in block context; in flow context a `:` may end the key.
  if (inFlow && value.includes(':')) return false;
  return true;
}

/** A YAML double-quoted scalar; escapes what YAML (or a reader's eyes) could take for something else. */
function doubleQuoted(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f || code === 0x85 || code === 0x2028 || code === 0x2029 || code === 0xfeff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}"`;
}
