/** Text and JSON rendering of diagnostics. */
import { describe, expect, it } from 'vitest';
import { diagnosticsToGithub, diagnosticsToJson, formatDiagnostics } from '../../generator/diagnostics/format-diagnostics.js';
import type { Diagnostic } from '../../generator/diagnostics/types.js';

const source = 'aggregate: Order\nstate:\n\tstatus: { type: OrderStatsu }\n';
const unknownType: Diagnostic = {
  code: 'ESG135',
  severity: 'error',
  message: 'unknown type `OrderStatsu`',
  file: 'domain/order.esgen.yaml',
  line: 3,
  column: 18,
  endLine: 3,
  endColumn: 29,
  hint: 'did you mean `OrderStatus`?',
};
const warning: Diagnostic = { code: 'ESG158', severity: 'warning', message: 'a warning', file: 'a.esgen.yaml', line: 1, column: 1 };

describe('formatDiagnostics', () => {
  it('prints location, code, message, a code frame with the span underlined, and the hint', () => {
    const text = formatDiagnostics([unknownType], { color: false, sources: new Map([['domain/order.esgen.yaml', source]]) });
    expect(text).toBe(
      [
        'domain/order.esgen.yaml:3:18 error ESG135 unknown type `OrderStatsu`',
        '  2 | state:',
        '  3 |   status: { type: OrderStatsu }',
        // The tab before `status` is shown as two spaces; the caret follows it.
        '    |                   ^^^^^^^^^^^',
        '  hint: did you mean `OrderStatus`?',
        '',
        '1 error',
        '',
      ].join('\n'),
    );
  });

  it('sorts by file and position and counts errors and warnings', () => {
    const text = formatDiagnostics([unknownType, warning], { color: false, sources: new Map() });
    expect(text.indexOf('a.esgen.yaml:1:1 warning')).toBeLessThan(text.indexOf('domain/order.esgen.yaml:3:18 error'));
    expect(text.endsWith('1 error, 1 warning\n')).toBe(true);
  });

  it('colours only when asked', () => {
    const sources = new Map([['domain/order.esgen.yaml', source]]);
    expect(formatDiagnostics([unknownType], { color: true, sources })).toContain('\u001b[');
    expect(formatDiagnostics([unknownType], { color: false, sources })).not.toContain('\u001b[');
  });

  it('shows a window of a long flow-style line so the caret points at the offending word', () => {
    const fields = Array.from({ length: 30 }, (_, i) => `field${i}: string`);
    fields[24] = 'field24: strnig';
    const line = `    fields: { ${fields.join(', ')} }`;
    const column = line.indexOf('strnig') + 1;
    const diagnostic: Diagnostic = { ...unknownType, message: 'unknown type `strnig`', line: 2, column, endLine: 2, endColumn: column + 6 };
    const text = formatDiagnostics([diagnostic], { color: false, sources: new Map([['domain/order.esgen.yaml', `events:\n${line}\n`]]) });
    const [, , shown, carets] = text.split('\n');
    expect(line.length).toBeGreaterThan(300);
    expect(shown!.length).toBeLessThanOrEqual(160 + 6);
    expect(shown).toMatch(/^  2 \| \.\.\./);
    // The caret sits under the word itself, in the shown text.
    const at = carets!.indexOf('^');
    expect(shown!.slice(at, at + 6)).toBe('strnig');
    expect(carets!.trimEnd().endsWith('^^^^^^')).toBe(true);
  });

  it('keeps the caret on visible text for every column of a long line', () => {
    const line = Array.from({ length: 400 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    for (let column = 1; column <= line.length; column += 7) {
      const diagnostic: Diagnostic = { ...unknownType, line: 1, column, endLine: 1, endColumn: column + 1 };
      const [, shown, carets] = formatDiagnostics([diagnostic], { color: false, sources: new Map([['domain/order.esgen.yaml', line]]) }).split('\n');
      const at = carets!.indexOf('^');
      expect(shown![at], `column ${column}`).toBe(line[column - 1]);
    }
  });

  it('prints nothing for no diagnostics', () => {
    expect(formatDiagnostics([], { color: false, sources: new Map() })).toBe('');
  });
});

describe('diagnosticsToJson', () => {
  it('is machine-readable with counts', () => {
    expect(JSON.parse(diagnosticsToJson([warning, unknownType]))).toEqual({ ok: false, errorCount: 1, warningCount: 1, diagnostics: [warning, unknownType] });
  });
});

describe('diagnosticsToGithub', () => {
  it('prints one workflow command per diagnostic, escaping data and properties as GitHub Actions reads them', () => {
    const text = diagnosticsToGithub([
      { code: 'ESG170', severity: 'error', message: 'a 100% change', file: 'domain/a,b.esgen.yaml', line: 3, column: 5, endLine: 3, endColumn: 9, hint: 'first\nsecond' },
      { code: 'ESG174', severity: 'warning', message: 'x: y', file: 'esgen.lock', line: 1, column: 1 },
    ]);
    expect(text).toBe(
      '::error file=domain/a%2Cb.esgen.yaml,line=3,col=5,endLine=3,endColumn=9,title=ESG170::a 100%25 change%0Ahint: first%0Asecond\n' +
        '::warning file=esgen.lock,line=1,col=1,title=ESG174::x: y\n',
    );
  });
});
