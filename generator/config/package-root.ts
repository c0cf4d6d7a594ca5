import { InternalError } from '../../runtime/errors.js';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The esgen package folder (holding schemas/ and templates/). Found by walking up from this
 * module, because it runs both from sources (generator/config) and compiled (dist/generator/config).
 */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'schemas', 'esgen.schema.json')) || !existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new InternalError('cannot find the esgen package folder (schemas/esgen.schema.json): reinstall esgen');
    dir = parent;
  }
  cached = dir;
  return dir;
}
