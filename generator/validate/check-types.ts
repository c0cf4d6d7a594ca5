import { suggestion } from '../diagnostics/did-you-mean.js';
import { formatType, primitiveNames } from '../ir/parse-expressions.js';
import type { AggregateDef, FieldDef, JsonValue, TypeRef } from '../ir/types.js';
import type { CheckContext } from './check-context.js';
import { acceptsNull, constantMismatch, enumValues, findType } from './type-rules.js';

/** Every type reference resolves to a primitive or a type of the same file; defaults fit their field. */
export function checkTypes(ctx: CheckContext): void {
  for (const aggregate of ctx.aggregates) {
    const checkRef = (type: TypeRef, node: object, below: (string | number)[]) => {
      if (type.kind === 'array') return checkRef(type.element, node, below);
      if (type.kind === 'map') return checkRef(type.value, node, below);
      if (type.kind === 'named' && type.name !== '?' && !findType(aggregate, type.name)) {
        const candidates = [...primitiveNames, ...aggregate.types.map((t) => t.name)];
        ctx.report({
          code: 'ESG135',
          node,
          below,
          message: `unknown type \`${type.name}\``,
          hint: suggestion(type.name, candidates, 'types') ?? `declare it under \`types:\` or use one of ${primitiveNames.join(', ')}`,
        });
      }
    };

    const checkFields = (fields: readonly FieldDef[], defaults: 'allowed' | 'not allowed', where: string) => {
      for (const field of fields) {
        // For `name: string` the locator stops at the scalar, so ['type'] works for both forms.
        checkRef(field.type, field, ['type']);
        if (field.default === undefined) continue;
        if (defaults === 'not allowed') {
          ctx.report({ code: 'ESG113', node: field, below: ['default'], part: 'key', message: `\`default\` is not allowed on ${where}`, hint: 'defaults apply to state and read-model fields; old event versions get values through `upcast: { add: ... }`' });
        } else checkDefault(ctx, aggregate, field, field.default, field.type, field.optional);
      }
    };

    for (const type of aggregate.types) if (type.kind === 'record') checkFields(type.fields, 'not allowed', 'fields of value types');
    checkFields(aggregate.state, 'allowed', 'state fields');
    for (const event of aggregate.events) for (const version of event.versions) checkFields(version.fields, 'not allowed', 'event fields');
    for (const model of aggregate.readModels) {
      for (const field of model.fields) {
        checkRef(field.type, field, ['type']);
        if (field.default !== undefined) checkDefault(ctx, aggregate, field, field.default, field.type, field.optional);
      }
    }
  }
}

function checkDefault(ctx: CheckContext, aggregate: AggregateDef, node: object, value: JsonValue, type: TypeRef, optional: boolean): void {
  if (value === null) {
    if (!optional && !acceptsNull(type)) ctx.report({ code: 'ESG143', node, below: ['default'], message: `the default is null, but the field is not optional`, hint: 'make the field optional (`T?`) or give a value' });
    return;
  }
  const problem = constantMismatch(aggregate, value, type);
  if (problem) {
    const values = enumValues(aggregate, type);
    ctx.report({
      code: 'ESG143',
      node,
      below: ['default'],
      message: `the default does not fit the field's type ${formatType(type)}: ${problem}`,
      hint: values && typeof value === 'string' ? suggestion(value, values, 'values') : undefined,
    });
  }
}
