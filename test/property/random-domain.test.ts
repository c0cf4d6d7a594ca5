/**
 * The random-domain generator itself: deterministic per seed, covering every feature of the
 * spec language, and rendering to YAML that means what the model says (the spec loader's IR of
 * the text equals the model), so the properties test the domain the harness believes they test.
 */
import { describe, expect, it } from 'vitest';
import { formatType, loadDomainFromSources, type AggregateDef, type ValueExpr } from '../../generator/index.js';
import { allFeatures, domainFeatures } from './domain-features.js';
import { formatTypeExpr, readModelEvents, type AggregateModel, type ElementValues, type MappingOp as ModelOp, type Operand, type ValueSource } from './domain-model.js';
import { mappingOpText } from '../../generator/ops/mapping-ops.js';
import { propertySeeds } from './property-seeds.js';
import { randomDomain } from './random-domain.js';
import { createRandom } from './seeded-random.js';
import { renderSpec } from './spec-text.js';

const render = (seed: number) => randomDomain(seed).aggregates.map((aggregate) => renderSpec(aggregate, createRandom(seed).fork(aggregate.name)));

describe('random domains', () => {
  it('are the same for the same seed, and differ between seeds', () => {
    expect(render(42)).toEqual(render(42));
    expect(render(42)).not.toEqual(render(43));
  });

  it('use every feature of the spec language within the seeds of npm test', () => {
    const used = new Set(propertySeeds(24).flatMap((seed) => [...domainFeatures(randomDomain(seed))]));
    expect(allFeatures.filter((feature) => !used.has(feature))).toEqual([]);
  });

  it('render to YAML that loads as the domain the model describes', () => {
    const mismatches: string[] = [];
    for (let seed = 1; seed <= 150; seed++) {
      const domain = randomDomain(seed);
      const sources = new Map(domain.aggregates.map((aggregate, i) => [`a${i}.esgen.yaml`, renderSpec(aggregate, createRandom(seed).fork(aggregate.name))]));
      const loaded = loadDomainFromSources(sources);
      if (!loaded.ok) {
        mismatches.push(`seed ${seed}: does not load (${loaded.diagnostics.map((d) => d.code).join(', ')})`);
        continue;
      }
      for (const aggregate of domain.aggregates) {
        const ir = loaded.ir.aggregates.find((a) => a.name === aggregate.name);
        if (!ir) mismatches.push(`seed ${seed}: ${aggregate.name} missing`);
        else mismatches.push(...compareAggregate(aggregate, ir).map((m) => `seed ${seed} ${aggregate.name}: ${m}`));
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });
});

/** The facts of a model that its YAML must carry into the IR. */
function compareAggregate(model: AggregateModel, ir: AggregateDef): string[] {
  const problems: string[] = [];
  const same = (what: string, expected: unknown, actual: unknown) => {
    if (JSON.stringify(expected) !== JSON.stringify(actual)) problems.push(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  };
  const fields = (list: readonly { name: string; type: never; optional: boolean }[] | readonly { name: string; optional: boolean }[], format: (f: never) => string) =>
    list.map((f) => `${f.name}:${format(f as never)}${f.optional ? '?' : ''}`).sort();
  same('id type', model.idType, ir.idType.kind === 'primitive' ? ir.idType.name : '?');
  same('snapshot', model.snapshotEvery, ir.snapshotEvery);
  same('types', model.types.map((t) => `${t.kind} ${t.name} ${t.kind === 'enum' ? JSON.stringify(t.values) : fields(t.fields as never, (f: { type: never }) => formatTypeExpr(f.type)).join(',')}`).sort(),
    ir.types.map((t) => `${t.kind} ${t.name} ${t.kind === 'enum' ? JSON.stringify(t.values) : fields(t.fields as never, (f: { type: never }) => formatType(f.type)).join(',')}`).sort());
  same('state', model.state.map((f) => `${f.name}:${formatTypeExpr(f.type)}${f.optional ? '?' : ''} default=${JSON.stringify(f.default)}`).sort(), ir.state.map((f) => `${f.name}:${formatType(f.type)}${f.optional ? '?' : ''} default=${JSON.stringify(f.default)}`).sort());
  for (const event of model.events) {
    const irEvent = ir.events.find((e) => e.name === event.name);
    if (!irEvent) {
      problems.push(`event ${event.name} missing`);
      continue;
    }
    same(`${event.name} versions`, event.versions.map((v) => `${v.version}:${v.fields.map((f) => `${f.name}:${formatTypeExpr(f.type)}${f.optional ? '?' : ''}`).sort().join(',')}:${v.upcast?.kind ?? '-'}`),
      irEvent.versions.map((v) => `${v.version}:${v.fields.map((f) => `${f.name}:${formatType(f.type)}${f.optional ? '?' : ''}`).sort().join(',')}:${v.upcast?.kind ?? '-'}`));
    event.versions.forEach((version, i) => {
      const upcast = version.upcast;
      const irUpcast = irEvent.versions[i]?.upcast;
      if (upcast?.kind !== 'declarative' || irUpcast?.kind !== 'declarative') return;
      same(`${event.name} v${version.version} upcast`, [...upcast.rename.map(([a, b]) => `rename ${a}>${b}`), ...upcast.remove.map((f) => `remove ${f}`), ...upcast.add.map(([f, v]) => `add ${f}=${JSON.stringify(v)}`)].sort(),
        irUpcast.ops.map((op) => (op.kind === 'rename' ? `rename ${op.from}>${op.to}` : op.kind === 'remove' ? `remove ${op.field}` : `add ${op.field}=${JSON.stringify(op.value)}`)).sort());
    });
    same(`${event.name} apply`, event.apply?.map((r) => `${r.target}=${source(r.value)}`).sort(), irEvent.apply?.map((r) => `${r.target}=${expr(r.value)}`).sort());
  }
  for (const model_ of model.readModels) {
    const irModel = ir.readModels.find((m) => m.name === model_.name);
    if (!irModel) {
      problems.push(`read model ${model_.name} missing`);
      continue;
    }
    same(`${model_.name} projection/mode`, [model_.projection, model_.mode], [irModel.projection, irModel.mode]);
    same(`${model_.name} events`, readModelEvents(model_).sort(), [...irModel.events].sort());
    same(`${model_.name} delete/custom`, [model_.deleteOn, model_.customOn], [irModel.deleteOn, irModel.customOn]);
    const keyOf = (kind: string, sources: readonly { event: string; value: ValueSource | ValueExpr; bucket?: string }[]) =>
      `${kind}:${sources.map((s) => `${s.event}.${'path' in s.value || s.value.kind !== 'envelope' ? source(s.value as ValueSource) : `$${s.value.field}`}:${s.bucket ?? ''}`).sort().join(',')}`;
    same(`${model_.name} key`,
      model_.key.kind === 'aggregateId' ? 'aggregateId:' : keyOf('computed', model_.key.kind === 'single' ? [model_.key.source] : model_.key.sources),
      irModel.key.kind === 'aggregateId' ? 'aggregateId:' : keyOf('computed', irModel.key.sources));
    same(`${model_.name} fields`,
      model_.fields.map((f) => `${f.name}:${formatTypeExpr(f.type)}${f.optional ? '?' : ''} ${JSON.stringify(f.default)} ${f.index}/${f.unique} ${f.rules.map((r) => `${r.event}:${r.op.kind}:${modelOpText(r.op)}`).sort().join(';')}`).sort(),
      irModel.fields.map((f) => `${f.name}:${formatType(f.type)}${f.optional ? '?' : ''} ${JSON.stringify(f.default)} ${f.index}/${f.unique} ${f.rules.map((r) => `${r.event}:${r.op.kind}:${r.op.kind === 'increment' ? r.op.by : 'value' in r.op ? expr(r.op.value) : mappingOpText(r.op, expr)}`).sort().join(';')}`).sort());
  }
  return problems;
}

/** A model operation as the IR side writes it (mappingOpText over `expr`). */
function modelOpText(op: ModelOp): string {
  const elements = (values: ElementValues) => `{ ${values.map(([field, value]) => `${field}: ${operand(value)}`).join(', ')} }`;
  switch (op.kind) {
    case 'increment':
      return String(op.by);
    case 'upsert':
      return `upsert ${op.each ? `each ${op.each.join('.')} ` : ''}key [${op.key.join(', ')}] values ${elements(op.values)}${op.sum.length > 0 ? ` sum [${op.sum.join(', ')}]` : ''}${op.keep.length > 0 ? ` keep [${op.keep.join(', ')}]` : ''}`;
    case 'removeBy':
      return `removeBy ${elements(op.key)}`;
    case 'decrement':
      return `decrement ${op.field} by ${op.by === undefined ? 'const 1' : operand(op.by)} where ${elements(op.key)}${op.removeAtZero ? ' removeAtZero' : ''}`;
    default:
      return operand(op.value);
  }
}

function operand(value: Operand): string {
  return value.kind === 'computed' ? `(${operand(value.left)} ${value.op} ${operand(value.right)})` : source(value);
}

function source(value: ValueSource): string {
  if (value.kind === 'event') return `event.${value.path.join('.')}`;
  if (value.kind === 'envelope') return `$${value.field}`;
  return `const ${JSON.stringify(value.value)}`;
}

function expr(value: ValueExpr): string {
  if (value.kind === 'event') return `event.${value.path.join('.')}`;
  if (value.kind === 'envelope') return `$${value.field}`;
  if (value.kind === 'metadata') return `$metadata.${value.key}`;
  if (value.kind === 'computed') return `(${expr(value.left)} ${value.op} ${expr(value.right)})`;
  return `const ${JSON.stringify(value.value)}`;
}
