import type { EventDef, EventVersionDef } from './types.js';

/** The versions stored events may still have: every version but the retired ones (`retired: true`). */
export function readableVersions(event: EventDef): readonly EventVersionDef[] {
  return event.versions.filter((version) => !version.retired);
}
