/**
 * Every diagnostic code esgen emits, with a one-line summary. docs/spec-reference.md documents
 * each one; a test checks that every code here appears there.
 */
export const diagnosticCodes = {
  // Configuration and file I/O
  ESG001: 'configuration file not found',
  ESG002: 'configuration file is invalid',
  ESG003: 'spec globs matched no files',
  ESG004: 'file cannot be read',
  ESG005: 'file is too large',
  ESG006: 'file is not valid UTF-8',
  ESG007: 'file is empty',
  // YAML syntax
  ESG101: 'YAML syntax error',
  ESG102: 'duplicate key',
  ESG103: 'tab used for indentation',
  ESG104: 'too many alias expansions',
  ESG105: 'unsupported YAML tag',
  ESG106: 'document is not a mapping',
  ESG107: 'more than one YAML document in a file',
  ESG108: 'mapping key is not a plain name (a list, a mapping, or a `<<` merge key)',
  // Structure (JSON Schema)
  ESG110: 'missing required property',
  ESG111: 'unknown property',
  ESG112: 'value has the wrong type',
  ESG113: 'value is not allowed',
  ESG114: 'invalid type expression',
  ESG115: 'invalid value expression',
  ESG116: 'invalid read-model key expression',
  // Semantic checks
  ESG130: 'name is not a valid identifier',
  ESG131: 'name is a reserved word',
  ESG132: 'duplicate aggregate name',
  ESG133: 'duplicate event name across aggregates',
  ESG134: 'name declared twice in one aggregate',
  ESG135: 'unknown type',
  ESG136: 'unknown event',
  ESG137: 'unknown event field',
  ESG138: 'unknown state field',
  ESG139: 'unknown envelope field',
  ESG140: 'event versions are not 1..N',
  ESG141: 'history version has no upcast to the next version',
  ESG142: 'declarative upcast does not produce the next version',
  ESG143: 'value does not fit the target type',
  ESG144: 'value may be absent but the target is required',
  ESG145: 'projection name is not a safe SQL identifier',
  ESG146: 'projection name used twice',
  ESG147: 'read-model key cannot be computed for an event',
  ESG148: 'add/min/max on a field that is not a number',
  ESG149: 'increment on a field that is not a number',
  ESG150: 'append to a field that is not a list',
  ESG151: 'read model reacts to an event of another aggregate',
  ESG152: 'time bucket on a value that is not a date or time',
  ESG153: 'two rules for the same event on one field',
  ESG154: 'duplicate enum value',
  ESG155: 'index or unique on a field that is not a scalar',
  ESG156: 'duplicate read-model name across aggregates',
  ESG157: 'upcast refers to an unknown field',
  ESG158: 'read-model field is never set',
  ESG159: 'read-model field named id',
} as const;

export type DiagnosticCode = keyof typeof diagnosticCodes;
