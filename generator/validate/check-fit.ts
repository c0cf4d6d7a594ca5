import { formatType } from '../ir/parse-expressions.js';
import type { AggregateDef, TypeRef } from '../ir/types.js';
import type { CheckContext } from './check-context.js';
import { typeFits } from './type-rules.js';

/** Reports a value read from an event that does not fit its target (ESG143), or may be absent for a required one (ESG144). */
export function checkFit(
  ctx: CheckContext,
  aggregate: AggregateDef,
  node: object,
  source: { type: TypeRef | 'unchecked'; optional: boolean },
  target: { type: TypeRef; optional: boolean },
  targetName: string,
  below: (string | number)[] = [],
): void {
  if (!typeFits(aggregate, source.type, target.type)) {
    ctx.report({
      code: 'ESG143',
      node,
      below,
      message: `a ${formatType(source.type as TypeRef)} does not fit ${targetName}, which is ${formatType(target.type)}`,
      hint: 'change the field type or read a value of the right type',
    });
  } else if (source.optional && !target.optional && source.type !== 'unchecked') {
    ctx.report({ code: 'ESG144', node, below, message: `the value may be absent, but ${targetName} is not optional`, hint: 'make the target optional (`T?`) or read a required value' });
  }
}
