/**
 * What `esgen events` prints: an aggregate's history as a table people can read, one line per
 * event for `tail`, and the JSON forms for scripts. Pure functions of the events, so tests read the
 * same text users see.
 */
import type { EventEnvelope } from '../runtime/index.js';

/** `+7 ms`, `+1.2 s`, `+3 min 4 s`, `+2 h 5 min`, `+3 d 4 h`. */
export function formatElapsed(ms: number): string {
  if (ms < 0) return `-${formatElapsed(-ms).slice(1)}`;
  if (ms < 1000) return `+${Math.round(ms)} ms`;
  if (ms < 60_000) return `+${(ms / 1000).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `+${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `+${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `+${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/** `userId=alice items=[1 item] totalAmount=25`: scalars as they are, lists and records summed up. */
export function summarisePayload(data: unknown, width = 60): string {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return clip(summariseValue(data), width);
  const parts = Object.entries(data as Record<string, unknown>).map(([key, value]) => `${key}=${summariseValue(value)}`);
  return clip(parts.join(' '), width);
}

function summariseValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.length} item${value.length === 1 ? '' : 's'}]`;
  if (typeof value === 'object') return `{${Object.keys(value).length} fields}`;
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) && value.length <= 40 ? value : JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  return String(value);
}

function clip(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 3)}...` : text;
}

/** Pads cells into aligned columns; the last column is left ragged. */
function table(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]!.length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : rightAligned.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** The history table: version, type (with stored payload version), time, time since the previous event, correlation id, payload. */
export function formatHistory(aggregateType: string, aggregateId: string, events: readonly EventEnvelope[], currentVersionOf: (type: string) => number = () => 1): string {
  if (events.length === 0) return `${aggregateType} ${aggregateId}: no events\n`;
  const rows = events.map((event, index) => {
    const previous = events[index - 1];
    return [
      String(event.version),
      eventTypeLabel(event, currentVersionOf(event.type)),
      event.occurredAt.toISOString(),
      previous === undefined ? '' : formatElapsed(event.occurredAt.getTime() - previous.occurredAt.getTime()),
      event.correlationId ?? '',
      summarisePayload(event.data),
    ];
  });
  const first = events[0]!;
  const last = events[events.length - 1]!;
  const span = formatElapsed(last.occurredAt.getTime() - first.occurredAt.getTime()).slice(1);
  const heading = `${aggregateType} ${aggregateId}: ${events.length} event${events.length === 1 ? '' : 's'}, version ${last.version}, over ${span}`;
  return `${heading}\n\n${table(['version', 'type', 'occurred at', 'since previous', 'correlation id', 'payload'], rows, new Set([0]))}\n`;
}

/** `OrderPaid`, `OrderCreated v2`, or `OrderCreated v1→v2` when the stored payload was upcast on read. */
function eventTypeLabel(event: EventEnvelope, currentVersion: number): string {
  if (event.storedVersion === currentVersion) return currentVersion === 1 ? event.type : `${event.type} v${currentVersion}`;
  return `${event.type} v${event.storedVersion}→v${currentVersion}`;
}

/** One line per event for `esgen events tail`. */
export function formatTailLine(event: EventEnvelope): string {
  return `${event.occurredAt.toISOString()}  #${event.position}  ${event.aggregateType} ${event.aggregateId} v${event.version}  ${event.type}  ${summarisePayload(event.data, 80)}`;
}

/** An envelope as JSON (bigints as strings, dates as ISO text). */
export function envelopeToJson(event: EventEnvelope): Record<string, unknown> {
  return {
    eventId: event.eventId,
    aggregateType: event.aggregateType,
    aggregateId: event.aggregateId,
    version: event.version,
    type: event.type,
    storedVersion: event.storedVersion,
    occurredAt: event.occurredAt.toISOString(),
    position: event.position.toString(),
    correlationId: event.correlationId,
    causationId: event.causationId,
    metadata: event.metadata,
    data: event.data,
  };
}

/** The state at a point in time (`at` given) or at a version, for people. */
export function formatStateAt(aggregateType: string, aggregateId: string, at: Date | undefined, version: number, state: unknown): string {
  const when = at === undefined ? `at version ${version}` : `at ${at.toISOString()} (version ${version})`;
  return `${aggregateType} ${aggregateId} ${when}\n${JSON.stringify(state, null, 2)}\n`;
}
