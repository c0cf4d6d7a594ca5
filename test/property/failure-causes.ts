/**
 * Names the cause of a failing seed from what the tools printed, so that `npm run fuzz` can count
 * seeds per cause. A seed can have several causes; anything not recognised is grouped by its
 * TypeScript error code and message shape.
 */

const collisionCodes = new Set(['TS2300', 'TS2308', 'TS2440', 'TS2395', 'TS4114', 'TS2416']);
const parameterNames = new Set(['data', 'row', 'context', 'event', 'current', 'next']);

/** Causes behind tsc's messages for one seed. */
export function compileCauses(messages: readonly string[]): Set<string> {
  const causes = new Set<string>();
  for (const message of messages) {
    const match = /error (TS\d+): (.*)$/.exec(message);
    if (!match) continue;
    const [, code, text] = match as unknown as [string, string, string];
    if (code === 'TS2322' && /is not assignable to type 'never'/.test(text)) causes.add('TS2322 exhaustive switch: a one-event union is not narrowed to never');
    else if (code === 'TS2322' && /^Type 'null' is not assignable/.test(text)) causes.add('TS2322 a null constant for an optional field is emitted as null');
    else if (code === 'TS2322' && /^Type 'string' is not assignable to type '"/.test(text)) {
      causes.add('TS2322 an enum value in a map constant widens to string (key named like an Object.prototype member: toString, constructor…)');
    }
    else if (code === 'TS6133' || code === 'TS6196') {
      const name = /'([^']+)'/.exec(text)?.[1] ?? '?';
      if (parameterNames.has(name)) causes.add(`${code} unused parameter or local \`${name}\``);
      else if (/^map\w+On\w+$/.test(name)) causes.add(`${code} custom mapper imported but never called (event under both delete and custom)`);
      else causes.add(`${code} unused import \`${name}\``);
    } else if (collisionCodes.has(code)) causes.add('TS2300/2308/2440/4114… a spec name collides with a generated or imported name');
    else causes.add(`${code} ${shape(text)}`);
  }
  return causes;
}

/** A message with names and values replaced by `…`, so equal causes group together. */
export function shape(text: string): string {
  return text
    .replace(/'[^']*'|"[^"]*"|`[^`]*`/g, '…')
    .replace(/\d+/g, 'N')
    .slice(0, 140);
}
