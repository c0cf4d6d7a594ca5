/**
 * Computed operands of read-model operations: `unitPrice * quantity`, `(price - discount) * quantity`,
 * `-amount`, `total / 100`. Numbers, payload paths and `$` envelope fields joined by `+ - * /`
 * with the usual precedence and parentheses. Types are checked later (typed-aggregate.ts): this
 * only parses. Syntax errors are ESG187 and say at which character the expression went wrong.
 */
import { parseOperand, type Parsed } from './parse-expressions.js';
import type { ArithmeticOp, ValueExpr } from './types.js';

type Token =
  | { readonly kind: 'number'; readonly value: number; readonly at: number }
  | { readonly kind: 'ref'; readonly text: string; readonly at: number }
  | { readonly kind: 'op'; readonly op: ArithmeticOp; readonly at: number }
  | { readonly kind: 'open' | 'close'; readonly at: number };

const hint = 'write numbers, field paths (`quantity`, `price.amount`) and envelope fields (`$version`) joined by `+ - * /`, with parentheses, e.g. `(price - discount) * quantity`';

/** Whether an operand string is arithmetic rather than a single path or envelope reference. */
export function isArithmetic(text: string): boolean {
  // `$metadata.tenant-id` is a metadata key (keys are free-form): only spaces, parentheses, `*`, `/`, `+` make it arithmetic.
  if (text.startsWith('$metadata.')) return /[\s()*/+]/.test(text);
  return !/^\$?[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$/.test(text);
}

/**
 * Parses an arithmetic expression. `reference` turns a path or `$field` into its value
 * expression (the same reading as a plain operand).
 */
export function parseArithmetic(text: string, reference: (text: string) => Parsed<ValueExpr>): Parsed<ValueExpr> {
  const tokens = tokenize(text);
  if (!tokens.ok) return tokens;
  const list = tokens.value;
  let next = 0;
  const fail = (message: string, at: number): Parsed<never> => ({ ok: false, code: 'ESG187', message: `\`${text}\` is not a valid computed value: ${message} (at character ${at + 1})`, hint, at: { index: at, text } });
  const where = () => list[next]?.at ?? text.length;

  const expression = (): Parsed<ValueExpr> => binary(term, ['+', '-']);
  const term = (): Parsed<ValueExpr> => binary(factor, ['*', '/']);
  function binary(operand: () => Parsed<ValueExpr>, ops: readonly ArithmeticOp[]): Parsed<ValueExpr> {
    let left = operand();
    if (!left.ok) return left;
    for (let token = list[next]; token?.kind === 'op' && ops.includes(token.op); token = list[next]) {
      next++;
      const right = operand();
      if (!right.ok) return right;
      left = { ok: true, value: { kind: 'computed', op: token.op, left: left.value, right: right.value } };
    }
    return left;
  }
  function factor(): Parsed<ValueExpr> {
    const token = list[next];
    if (!token) return fail(list.length === 0 ? 'it is empty' : 'an operand is missing at the end', text.length);
    next++;
    switch (token.kind) {
      case 'number':
        return { ok: true, value: { kind: 'const', value: token.value } };
      case 'ref':
        return reference(token.text);
      case 'open': {
        const inner = expression();
        if (!inner.ok) return inner;
        if (list[next]?.kind !== 'close') return fail('`(` is not closed', token.at);
        next++;
        return inner;
      }
      case 'op': {
        if (token.op !== '-') return fail(`\`${token.op}\` has no operand before it`, token.at);
        // Unary minus: a negative literal, or 0 − operand (which keeps an integer an integer).
        const operand = factor();
        if (!operand.ok) return operand;
        if (operand.value.kind === 'const' && typeof operand.value.value === 'number') return { ok: true, value: { kind: 'const', value: -operand.value.value } };
        return { ok: true, value: { kind: 'computed', op: '-', left: { kind: 'const', value: 0 }, right: operand.value } };
      }
      case 'close':
        return fail('`)` has no matching `(`, or an operand is missing before it', token.at);
    }
  }

  const parsed = expression();
  if (!parsed.ok) return parsed;
  if (next < list.length) {
    const token = list[next]!;
    return fail(token.kind === 'close' ? '`)` has no matching `(`' : 'an operator is missing between two operands', where());
  }
  return parsed;
}

function tokenize(text: string): Parsed<readonly Token[]> {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(\$?[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*)|([-+*/])|(\()|(\)))/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (!match) {
      const position = at + (text.slice(at).length - text.slice(at).trimStart().length);
      return { ok: false, code: 'ESG187', message: `\`${text}\` is not a valid computed value: \`${text[position]}\` is not a number, a field, an operator or a parenthesis (at character ${position + 1})`, hint, at: { index: position, text } };
    }
    const start = match.index + match[0].length - match[0].trimStart().length;
    if (match[1] !== undefined) tokens.push({ kind: 'number', value: Number(match[1]), at: start });
    else if (match[2] !== undefined) tokens.push({ kind: 'ref', text: match[2], at: start });
    else if (match[3] !== undefined) tokens.push({ kind: 'op', op: match[3] as ArithmeticOp, at: start });
    else tokens.push({ kind: match[4] !== undefined ? 'open' : 'close', at: start });
    at = pattern.lastIndex;
  }
  return { ok: true, value: tokens };
}

/** A read-model operand: what parseOperand reads, or arithmetic over such operands. */
export function parseMappingOperand(raw: unknown): Parsed<ValueExpr> {
  return typeof raw === 'string' && isArithmetic(raw) ? parseArithmetic(raw, parseOperand) : parseOperand(raw);
}
