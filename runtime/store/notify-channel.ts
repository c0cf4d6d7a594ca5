import { createHash } from 'node:crypto';
import { resolveSchema } from '../identifiers.js';

/** PostgreSQL channel names are identifiers: at most 63 bytes (NAMEDATALEN - 1). */
const MAX_CHANNEL_LENGTH = 63;

/**
 * The LISTEN/NOTIFY channel appends signal on, one per schema so workers of one schema are not
 * woken by another's writes: `esgen_events` for `public`, `esgen_events_<schema>` otherwise
 * (shortened with a hash when the schema name is long).
 */
export function eventsChannel(schema?: string): string {
  const { name } = resolveSchema(schema);
  if (name === 'public') return 'esgen_events';
  const channel = `esgen_events_${name}`;
  if (channel.length <= MAX_CHANNEL_LENGTH) return channel;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 12);
  return `${channel.slice(0, MAX_CHANNEL_LENGTH - 13)}_${hash}`;
}
