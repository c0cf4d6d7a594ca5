/**
 * The breaking-change rules on locked versions: the spec against esgen.lock (or against the lock
 * of a git ref). A locked event version is published: stored events have its shape, forever, and
 * consumers of published events read it. So any change to its shape is an error, named change by
 * change and located at the spec node that changed; only descriptions and value-type names may
 * change. Changes between versions are the upcasts' business (ESG141/ESG142, see check-events).
 */
import type { Diagnostic } from '../diagnostics/types.js';
import type { AggregateDef, DomainIR, EventDef, EventVersionDef, SourceLocation } from '../ir/types.js';
import { derivedFingerprints, eventVersionKey, lockableVersions, type LockFile, specShape } from './lock-file.js';
import { emptyLocator, type Locate } from './lock-text.js';
import { shapeChanges, type ShapeChange } from './shape-changes.js';

export interface LockSource {
  readonly lock: LockFile;
  /** The lock's file name in diagnostics (`esgen.lock`, or `esgen.lock@main` for a ref). */
  readonly file: string;
  readonly locator?: Locate;
  /** `main`, `HEAD~1`: named in messages when the lock came from a git ref. */
  readonly ref?: string;
}

function at(loc: SourceLocation): Pick<Diagnostic, 'file' | 'line' | 'column'> {
  return { file: loc.file, line: loc.line, column: loc.column };
}

/** The fix for a changed locked version: a new version when it is the current one, otherwise restoring it. */
function fixFor(event: EventDef, version: EventVersionDef): string {
  if (version.version === event.version) {
    return `Add version ${version.version + 1} with an upcast from ${version.version}, keeping version ${version.version} as it was under \`history\` (docs/schema-evolution.md). If version ${version.version} was never released (locked by a local build only), delete its entry from esgen.lock instead`;
  }
  return `Restore version ${version.version} under \`history\` as esgen.lock records it, and put the change in version ${event.version + 1} with an upcast from ${event.version}`;
}

/** Where a change shows in the spec: the field that changed, the value type it is inside, or the version. */
function locateChange(aggregate: AggregateDef, version: EventVersionDef, change: ShapeChange): SourceLocation {
  if (change.inType) {
    const type = aggregate.types.find((candidate) => candidate.name === change.inType);
    if (type?.kind === 'record' && change.field) return type.fields.find((field) => field.name === change.field)?.loc ?? type.loc;
    if (type) return type.loc;
  }
  if (change.field) return version.fields.find((field) => field.name === change.field)?.loc ?? version.loc;
  return version.loc;
}

/** ESG170–ESG173: the spec's event versions against the locked ones. */
export function compareWithLock(ir: DomainIR, source: LockSource): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const { lock } = source;
  const locator = source.locator ?? emptyLocator;
  const since = source.ref ? ` (locked at ${source.ref})` : '';
  const seen = new Set<string>();
  const live = new Map<string, { aggregate: AggregateDef; event: EventDef }>();
  const retired = new Set<string>();

  for (const aggregate of ir.aggregates) {
    for (const event of aggregate.events) live.set(event.name, { aggregate, event });
    for (const event of aggregate.retiredEvents ?? []) retired.add(event.name);
    for (const event of aggregate.events) {
      for (const version of event.versions) {
        const key = eventVersionKey(event.name, version.version);
        const locked = lock.events.get(key);
        if (!locked) continue;
        seen.add(key);
        // A retired version keeps its entry (events of that shape were stored once) and no longer compares.
        if (version.retired) continue;
        if (version.draft) {
          diagnostics.push({
            code: 'ESG172',
            severity: 'error',
            message: `${key} is locked${source.ref ? ` at ${source.ref}` : ''}, so it cannot be a draft`,
            ...at(version.loc),
            hint: `remove \`draft: true\`; to work on a new shape, add version ${event.version + 1} and mark that one as the draft`,
          });
          continue;
        }
        if (locked.aggregate !== aggregate.name) {
          diagnostics.push({
            code: 'ESG170',
            severity: 'error',
            message: `${key} is published${since} by aggregate \`${locked.aggregate}\` and cannot move to \`${aggregate.name}\`: stored events keep their aggregate type`,
            ...at(event.loc),
            hint: `keep \`${event.name}\` in the spec of \`${locked.aggregate}\`, or retire it there and declare an event with a new name`,
          });
        }
        for (const change of shapeChanges(locked.shape, specShape(aggregate, version))) {
          diagnostics.push({ code: 'ESG170', severity: 'error', message: `${key} is published${since} and cannot change: ${change.message}`, ...at(locateChange(aggregate, version, change)), hint: fixFor(event, version) });
        }
      }
    }
  }

  for (const locked of lock.events.values()) {
    if (seen.has(locked.key) || retired.has(locked.event)) continue;
    const found = live.get(locked.event);
    if (found) {
      diagnostics.push({
        code: 'ESG171',
        severity: 'error',
        message: `${locked.key} is published${since}, but the spec declares \`${locked.event}\` only up to version ${found.event.version}`,
        ...at(found.event.loc),
        hint: `stored events may have version ${locked.version}: keep it (set \`version: ${locked.version}\` or more, with its \`history\`), or, once none is stored any more, mark it \`history: { ${locked.version}: { retired: true } }\``,
      });
    } else {
      diagnostics.push({
        code: 'ESG171',
        severity: 'error',
        message: `${locked.key} is published${since}, but no spec declares \`${locked.event}\``,
        file: source.file,
        ...locator.locate(['events', locked.key], 'key'),
        hint: `stored events of this type may exist: keep the event, or mark it \`${locked.event}: { retired: true }\` in the spec of \`${locked.aggregate}\` once none is read any more`,
      });
    }
  }
  return diagnostics;
}

/** ESG173: drafts are the newest versions of an event, so a locked version never follows a draft. */
export function checkDraftOrder(ir: DomainIR): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const aggregate of ir.aggregates) {
    for (const event of aggregate.events) {
      const firstDraft = event.versions.find((version) => version.draft);
      if (!firstDraft) continue;
      for (const version of event.versions) {
        if (version.version > firstDraft.version && !version.draft) {
          diagnostics.push({
            code: 'ESG173',
            severity: 'error',
            message: `version ${version.version} of \`${event.name}\` is not a draft, but version ${firstDraft.version} before it is`,
            ...at(version.loc),
            hint: `drafts are the newest versions: mark version ${version.version} \`draft: true\` too, or remove \`draft: true\` from version ${firstDraft.version}`,
          });
        }
      }
    }
  }
  return diagnostics;
}

/** ESG174 (`esgen check --strict`): every draft version left in the spec. */
export function draftDiagnostics(ir: DomainIR): Diagnostic[] {
  return ir.aggregates.flatMap((aggregate) =>
    aggregate.events.flatMap((event) =>
      event.versions
        .filter((version) => version.draft)
        .map<Diagnostic>((version) => ({
          code: 'ESG174',
          severity: 'error',
          message: `${eventVersionKey(event.name, version.version)} is a draft: a release locks every version`,
          ...at(version.loc),
          hint: 'remove `draft: true` and run `esgen build` to lock it (then commit esgen.lock)',
        })),
    ),
  );
}

/**
 * ESG176: locked entries of the base ref's lock that the current lock changed or dropped. With
 * compareWithLock against the base lock, this catches a locked entry edited in both the spec and
 * the lock.
 */
export function compareLocks(base: LockSource, current: LockSource): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const locator = current.locator ?? emptyLocator;
  for (const locked of base.lock.events.values()) {
    const now = current.lock.events.get(locked.key);
    const where = now ? { file: current.file, ...locator.locate(['events', locked.key], 'key') } : { file: current.file, line: 1, column: 1 };
    if (!now) {
      diagnostics.push({ code: 'ESG176', severity: 'error', message: `${locked.key} is locked at ${base.ref ?? 'the base'} but missing from esgen.lock`, ...where, hint: `restore it: \`git checkout ${base.ref ?? '<base>'} -- esgen.lock\`, then \`esgen build\`` });
      continue;
    }
    const changes = shapeChanges(locked.shape, now.shape);
    if (changes.length > 0 || now.fingerprint !== locked.fingerprint || now.aggregate !== locked.aggregate) {
      const what = changes.length > 0 ? changes.map((change) => change.message).join('; ') : 'its fingerprint or aggregate differs';
      diagnostics.push({
        code: 'ESG176',
        severity: 'error',
        message: `${locked.key} is locked at ${base.ref ?? 'the base'}, and esgen.lock was edited: ${what}`,
        ...where,
        hint: `locked entries never change: restore it from ${base.ref ?? 'the base'} and add a new version of \`${locked.event}\` instead`,
      });
    }
  }
  return diagnostics;
}

/** Versions of the spec that a build would lock now (not in the lock yet, not drafts). */
export function newVersions(ir: DomainIR, lock: LockFile | undefined): string[] {
  return ir.aggregates.flatMap((aggregate) => lockableVersions(aggregate).map(({ event, version }) => eventVersionKey(event.name, version.version))).filter((key) => !lock?.events.has(key));
}

/**
 * ESG177, ESG178 (warnings, `--against`): read models and states whose fingerprint changed since
 * the base ref. Not errors: they are derived data. But a reviewer should know that the release
 * rebuilds a read model from the events (or refuses to serve it, by the runtime's configuration)
 * and ignores the snapshots taken before.
 */
export function derivedChanges(ir: DomainIR, base: LockSource): Diagnostic[] {
  const ref = base.ref ?? 'the base';
  const now = derivedFingerprints(ir.aggregates, ir.readModels);
  const diagnostics: Diagnostic[] = [];
  for (const [name, { fingerprint, model }] of now.readModels) {
    const before = base.lock.readModels?.get(name);
    if (before === undefined || before === fingerprint) continue;
    diagnostics.push({
      code: 'ESG177',
      severity: 'warning',
      message: `read model \`${name}\` changed since ${ref} (fingerprint ${before} → ${fingerprint}): its rows are rebuilt from the events before it serves again`,
      ...at(model.loc),
      hint: 'expected after a mapping, key or field change; plan the rebuild time (`esgen db verify` counts the rows) or keep the read model as it was',
    });
  }
  for (const [name, { fingerprint, aggregate }] of now.states) {
    const before = base.lock.states?.get(name);
    if (before === undefined || before === fingerprint || aggregate.snapshotEvery === undefined) continue;
    diagnostics.push({
      code: 'ESG178',
      severity: 'warning',
      message: `the state of \`${name}\` changed since ${ref} (fingerprint ${before} → ${fingerprint}): snapshots taken before are ignored, so aggregates load from their events until new snapshots are written`,
      ...at(aggregate.loc),
      hint: 'expected after a state change; long streams load slower until their next snapshot',
    });
  }
  return diagnostics;
}
