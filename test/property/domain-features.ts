/**
 * The spec features a random domain uses, by name: the generator's own test checks that the
 * seeds of `npm test` together use every one of them, so the property covers the whole language.
 */
import { currentVersion, findType, type AggregateModel, type DomainModel, type TypeExpr } from './domain-model.js';

/** Every feature the generator is meant to produce. */
export const allFeatures = [
  'aggregates:1', 'aggregates:2', 'aggregates:3',
  'events:1', 'events:5', 'event:payload-less', 'event:history', 'event:version-3+',
  'type:string', 'type:integer', 'type:number', 'type:boolean', 'type:uuid', 'type:datetime', 'type:date', 'type:json',
  'type:enum', 'type:record', 'type:nested-record', 'type:list', 'type:map', 'type:optional', 'type:list-of-records', 'type:map-of-lists', 'type:list-of-lists', 'type:recursive',
  'upcast:add', 'upcast:rename', 'upcast:remove', 'upcast:custom', 'upcast:remove-then-add',
  'apply:event-path', 'apply:nested-path', 'apply:const', 'apply:null', 'apply:$aggregateId', 'apply:$occurredAt', 'apply:$version', 'apply:$eventId', 'apply:empty', 'apply:handler',
  'apply:add', 'apply:subtract', 'apply:long-form-set', 'apply:entry-set', 'apply:entry-add', 'apply:entry-subtract', 'apply:entry-remove', 'apply:entry-$aggregateId', 'apply:rules-then-handler',
  'state:default', 'state:none', 'snapshot', 'id:uuid',
  'map:from', 'map:const', 'map:set', 'map:add', 'map:increment', 'map:min', 'map:max', 'map:append', 'map:delete', 'map:custom',
  'map:subtract', 'map:setOnce', 'map:computed', 'map:upsert', 'map:upsert-each', 'map:removeBy', 'map:decrement',
  'key:default', 'key:$aggregateId', 'key:event-path', 'key:envelope', 'key:bucket:hour', 'key:bucket:day', 'key:bucket:month', 'key:bucket:year', 'key:map',
  'mode:inline', 'mode:async', 'index', 'unique',
  'readModel:across', 'readModel:across-bucket', 'readModel:across-custom',
] as const;

export type Feature = (typeof allFeatures)[number];

export function domainFeatures(domain: DomainModel): Set<Feature> {
  const features = new Set<Feature>();
  const add = (feature: Feature) => features.add(feature);
  add(`aggregates:${Math.min(domain.aggregates.length, 3)}` as Feature);
  for (const aggregate of domain.aggregates) {
    if (aggregate.events.length === 1) add('events:1');
    if (aggregate.events.length === 5) add('events:5');
    if (aggregate.idType === 'uuid') add('id:uuid');
    if (aggregate.snapshotEvery !== undefined) add('snapshot');
    if (aggregate.state.length === 0) add('state:none');
    if (aggregate.state.some((f) => f.default !== undefined)) add('state:default');
    const fieldLists = [
      aggregate.state,
      ...aggregate.types.flatMap((t) => (t.kind === 'record' ? [t.fields] : [])),
      ...aggregate.events.flatMap((e) => e.versions.map((v) => v.fields)),
      ...aggregate.readModels.map((m) => m.fields),
    ];
    for (const fields of fieldLists) {
      for (const field of fields) {
        if (field.optional) add('type:optional');
        typeFeatures(aggregate, field.type, features);
      }
    }
    for (const type of aggregate.types) {
      if (type.kind === 'record' && type.fields.some((f) => refersTo(f.type, type.name))) add('type:recursive');
    }
    for (const event of aggregate.events) {
      if (currentVersion(event).fields.length === 0) add('event:payload-less');
      if (event.versions.length > 1) add('event:history');
      if (event.versions.length > 2) add('event:version-3+');
      for (const version of event.versions) {
        const upcast = version.upcast;
        if (!upcast) continue;
        if (upcast.kind === 'custom') add('upcast:custom');
        else {
          if (upcast.add.length > 0) add('upcast:add');
          if (upcast.rename.length > 0) add('upcast:rename');
          if (upcast.remove.length > 0) add('upcast:remove');
          if (upcast.remove.some((name) => upcast.add.some(([added]) => added === name))) add('upcast:remove-then-add');
        }
      }
      if (!event.apply) add('apply:handler');
      else if (event.apply.length === 0) add('apply:empty');
      if (event.apply && event.handler) add('apply:rules-then-handler');
      for (const rule of event.apply ?? []) {
        if (rule.entry) add(`apply:entry-${rule.op ?? 'set'}` as Feature);
        else if (rule.op) add(`apply:${rule.op}` as Feature);
        else if (rule.longForm) add('apply:long-form-set');
        if (rule.entry?.kind === 'envelope' && rule.entry.field === 'aggregateId') add('apply:entry-$aggregateId');
        if (rule.op === 'remove') continue;
        if (rule.value.kind === 'event') add(rule.value.path.length > 1 ? 'apply:nested-path' : 'apply:event-path');
        else if (rule.value.kind === 'envelope') add(`apply:$${rule.value.field}` as Feature);
        else add(rule.value.value === null ? 'apply:null' : 'apply:const');
      }
    }
    for (const model of aggregate.readModels) {
      add(model.mode === 'inline' ? 'mode:inline' : 'mode:async');
      if (model.deleteOn.length > 0) add('map:delete');
      if (model.customOn.length > 0) add('map:custom');
      if (model.key.kind === 'aggregateId') add(model.key.explicit ? 'key:$aggregateId' : 'key:default');
      const sources = model.key.kind === 'single' ? [model.key.source] : model.key.kind === 'map' ? model.key.sources : [];
      if (model.key.kind === 'map') add('key:map');
      for (const source of sources) {
        add(source.value.kind === 'event' ? 'key:event-path' : 'key:envelope');
        if (source.bucket) add(`key:bucket:${source.bucket}`);
      }
      for (const field of model.fields) {
        if (field.index) add('index');
        if (field.unique) add('unique');
        for (const rule of field.rules) {
          if (rule.viaFrom) add('map:from');
          else if (rule.op.kind === 'set') add(rule.op.value.kind === 'const' ? 'map:const' : 'map:set');
          else add(`map:${rule.op.kind}` as Feature);
          if ('value' in rule.op && rule.op.value.kind === 'computed') add('map:computed');
          if (rule.op.kind === 'upsert' && rule.op.each) add('map:upsert-each');
        }
      }
    }
  }
  for (const model of (domain.readModelFiles ?? []).flatMap((file) => file.readModels)) {
    add('readModel:across');
    if (model.key.kind === 'map' && model.key.sources.some((source) => source.bucket)) add('readModel:across-bucket');
    if (model.customOn.length > 0) add('readModel:across-custom');
  }
  return features;
}

function typeFeatures(aggregate: AggregateModel, type: TypeExpr, features: Set<Feature>): void {
  switch (type.kind) {
    case 'primitive':
      features.add(`type:${type.name}`);
      return;
    case 'named': {
      const named = findType(aggregate, type.name);
      features.add(named.kind === 'enum' ? 'type:enum' : 'type:record');
      if (named.kind === 'record' && named.fields.some((f) => f.type.kind === 'named' && findType(aggregate, f.type.name).kind === 'record')) features.add('type:nested-record');
      return;
    }
    case 'list':
      features.add('type:list');
      if (type.element.kind === 'named' && findType(aggregate, type.element.name).kind === 'record') features.add('type:list-of-records');
      if (type.element.kind === 'list') features.add('type:list-of-lists');
      typeFeatures(aggregate, type.element, features);
      return;
    case 'map':
      features.add('type:map');
      if (type.value.kind === 'list') features.add('type:map-of-lists');
      typeFeatures(aggregate, type.value, features);
      return;
  }
}

function refersTo(type: TypeExpr, name: string): boolean {
  if (type.kind === 'named') return type.name === name;
  if (type.kind === 'list') return refersTo(type.element, name);
  if (type.kind === 'map') return refersTo(type.value, name);
  return false;
}
