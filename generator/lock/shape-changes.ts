/**
 * What changed between two canonical shapes, named the way a reviewer would say it: a field
 * added, removed, renamed (removed and added with the same type), its type changed, optional
 * became required or back, an enum value removed, renamed or added, a value type changed
 * underneath. Descriptions and value-type names are not part of a shape, so they never show here.
 */
import { sameShapeType, type ShapeField, type ShapeType } from './canonical-shape.js';

export interface ShapeChange {
  readonly kind: 'added' | 'removed' | 'renamed' | 'typeChanged' | 'nowRequired' | 'nowOptional' | 'enumValueRemoved' | 'enumValueRenamed' | 'enumValueAdded';
  /** `items[].discount`: where in the payload. Empty for a change of the payload's own fields list. */
  readonly path: string;
  /** The field of the new shape the change is at (its name), when it exists there. */
  readonly field?: string;
  /** The value type (of the new shape) the change is inside, when it is nested. */
  readonly inType?: string;
  readonly message: string;
}

/** Changes from `locked` to `current`, in field order. */
export function shapeChanges(locked: readonly ShapeField[], current: readonly ShapeField[]): ShapeChange[] {
  const changes: ShapeChange[] = [];
  diffFields(locked, current, '', undefined, changes);
  return changes;
}

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

function describe(type: ShapeType): string {
  switch (type.kind) {
    case 'primitive':
      return type.name;
    case 'array':
      return `${describe(type.element)}[]`;
    case 'map':
      return `map<${describe(type.value)}>`;
    case 'enum':
      return `enum ${type.name} (${type.values.join(', ')})`;
    case 'record':
      return `record ${type.name}`;
    case 'ref':
    case 'unknown':
      return type.name;
  }
}

function diffFields(locked: readonly ShapeField[], current: readonly ShapeField[], prefix: string, inType: string | undefined, changes: ShapeChange[]): void {
  const before = new Map(locked.map((field) => [field.name, field]));
  const after = new Map(current.map((field) => [field.name, field]));
  const removed = locked.filter((field) => !after.has(field.name));
  const added = current.filter((field) => !before.has(field.name));
  const at = (field: string | undefined) => ({ ...(field ? { field } : {}), ...(inType ? { inType } : {}) });
  // A field removed and another added with the same type and optionality reads as a rename.
  for (const gone of [...removed]) {
    const twin = added.find((field) => field.optional === gone.optional && sameShapeType(field.type, gone.type));
    if (!twin) continue;
    removed.splice(removed.indexOf(gone), 1);
    added.splice(added.indexOf(twin), 1);
    changes.push({ kind: 'renamed', path: join(prefix, twin.name), ...at(twin.name), message: `field \`${join(prefix, gone.name)}\` was renamed to \`${twin.name}\`` });
  }
  for (const field of removed) changes.push({ kind: 'removed', path: join(prefix, field.name), ...at(undefined), message: `field \`${join(prefix, field.name)}\` was removed` });
  for (const field of added) {
    changes.push({ kind: 'added', path: join(prefix, field.name), ...at(field.name), message: `${field.optional ? 'optional' : 'required'} field \`${join(prefix, field.name)}\` was added` });
  }
  for (const field of current) {
    const old = before.get(field.name);
    if (!old) continue;
    const path = join(prefix, field.name);
    if (old.optional && !field.optional) changes.push({ kind: 'nowRequired', path, ...at(field.name), message: `field \`${path}\` was optional and is now required` });
    if (!old.optional && field.optional) changes.push({ kind: 'nowOptional', path, ...at(field.name), message: `field \`${path}\` was required and is now optional` });
    diffType(old.type, field.type, path, field.name, inType, changes);
  }
}

function diffType(locked: ShapeType, current: ShapeType, path: string, field: string, inType: string | undefined, changes: ShapeChange[]): void {
  const at = { field, ...(inType ? { inType } : {}) };
  if (locked.kind === 'array' && current.kind === 'array') return diffType(locked.element, current.element, `${path}[]`, field, inType, changes);
  if (locked.kind === 'map' && current.kind === 'map') return diffType(locked.value, current.value, `${path}{}`, field, inType, changes);
  if (locked.kind === 'record' && current.kind === 'record') return diffFields(locked.fields, current.fields, path, current.name, changes);
  if (locked.kind === 'enum' && current.kind === 'enum') {
    const removed = locked.values.filter((value) => !current.values.includes(value));
    const added = current.values.filter((value) => !locked.values.includes(value));
    const where = { field, inType: current.name };
    if (removed.length === 1 && added.length === 1) {
      changes.push({ kind: 'enumValueRenamed', path, ...where, message: `enum value \`${removed[0]}\` of \`${path}\` (${current.name}) was renamed to \`${added[0]}\`` });
      return;
    }
    for (const value of removed) changes.push({ kind: 'enumValueRemoved', path, ...where, message: `enum value \`${value}\` of \`${path}\` (${current.name}) was removed` });
    for (const value of added) changes.push({ kind: 'enumValueAdded', path, ...where, message: `enum value \`${value}\` of \`${path}\` (${current.name}) was added` });
    return;
  }
  if (!sameShapeType(locked, current)) changes.push({ kind: 'typeChanged', path, ...at, message: `the type of \`${path}\` changed from ${describe(locked)} to ${describe(current)}` });
}
