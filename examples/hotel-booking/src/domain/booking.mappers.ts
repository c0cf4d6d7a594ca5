import type { EventEnvelope, ProjectionChange } from 'esgen/runtime';
import type { NoteAdded } from '../generated/booking/events.js';
import type { BookingDetailsRow } from '../generated/booking/read-models.js';

// Custom read-model mappers of Booking (user-owned; esgen never overwrites this file).

/**
 * BookingDetails on NoteAdded: notes are not part of the row, but a note is a change worth
 * showing, so it moves `lastChange`. Notes on a booking the read model never saw are ignored.
 */
export function mapBookingDetailsOnNoteAdded(
  next: BookingDetailsRow,
  event: EventEnvelope<'NoteAdded', NoteAdded>,
  current: BookingDetailsRow | undefined,
): ProjectionChange<BookingDetailsRow> {
  if (current === undefined) return { kind: 'unchanged' };
  return { kind: 'upsert', row: { ...next, lastChange: event.occurredAt.toISOString() } };
}
