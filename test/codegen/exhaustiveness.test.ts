/**
 * Every valid spec compiles: the aggregate shapes that used to break the generated dispatcher
 * (exactly one event, payload-less events, no events at all) go through the real CLI and the
 * real compiler with the strictest flags a project might use, together with the scaffolded user
 * files, and run: raise, save-less replay, snapshot.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runEsgen, runTscAsync, strictTsconfig } from './codegen-support.js';

const scratch = mkdtempSync(join(tmpdir(), 'esgen-exhaustive-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const specs: Record<string, string> = {
  'one-event': `aggregate: Counter
state:
  count: { type: integer, default: 0 }
events:
  Incremented:
    fields: { by: integer }
    apply: { count: event.by }
readModels:
  Counts:
    projection: counts
    fields:
      total: { type: integer, default: 0, on: { Incremented: { add: by } } }
`,
  'zero-payload': `aggregate: Door
types:
  DoorPosition: { enum: [open, closed] }
state:
  position: { type: DoorPosition, default: closed }
  lastOpenedId: uuid?
events:
  Opened:
    apply: { position: open, lastOpenedId: $eventId }
  Closed: {}
readModels:
  DoorLog:
    projection: door_log
    fields:
      openings: { type: integer, default: 0, on: { Opened: { increment: 1 } } }
    delete: [Closed]
`,
  'no-events': `aggregate: Placeholder
state:
  note: string?
`,
  // What `esgen init` starts a project with.
  task: readFileSync(join(repoRoot, 'templates/init/domain/task.esgen.yaml'), 'utf8'),
};

function project(name: string, spec: string): string {
  const dir = join(scratch, name);
  mkdirSync(join(dir, 'domain'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(dir, 'esgen.config.yaml'), 'specs: domain/*.esgen.yaml\n');
  writeFileSync(join(dir, `domain/${name}.esgen.yaml`), spec);
  return dir;
}

describe('aggregates of any number of events', () => {
  const dirs = Object.entries(specs).map(([name, spec]) => ({ name, dir: project(name, spec) }));

  it('validate, build, and compile with their scaffolded classes under the strictest flags', async () => {
    for (const { name, dir } of dirs) {
      const built = runEsgen(['build'], dir);
      expect(built.stderr, name).toBe('');
      expect(built.status, name).toBe(0);
    }
    const include = dirs.map(({ dir }) => join(dir, 'src/**/*.ts'));
    // With exactOptionalPropertyTypes the runtime is taken as users get it, compiled (dist/, built
    // by the test setup; skipLibCheck as in the base config): only the generated and user code is
    // held to the flag.
    const asInstalled = { paths: { 'esgen/runtime': [join(repoRoot, 'dist/runtime/index.d.ts')] } };
    for (const extra of [{}, { exactOptionalPropertyTypes: true, noPropertyAccessFromIndexSignature: true, ...asInstalled }]) {
      const folder = mkdtempSync(join(scratch, 'tsc-'));
      const tsconfig = strictTsconfig(folder, include, extra);
      const checked = await runTscAsync(['-p', tsconfig], repoRoot);
      expect(checked.output, JSON.stringify(extra)).toBe('');
      expect(checked.status).toBe(0);
    }
  }, 240_000);

  it('run: the one event applies, a payload-less event applies, an aggregate without events snapshots', async () => {
    // The generated modules of the temp projects, seen through the slice of their base classes this test uses.
    type Base = abstract new (id: string) => {
      raise(type: string, data: object): void;
      patchState(changes: object): void;
      readonly state: unknown;
      uncommittedEvents(): readonly { readonly eventId?: string }[];
      snapshotState(): unknown;
    };
    const load = async (file: string, name: string) => ((await import(join(scratch, file))) as Record<string, Base & { definition: { eventTypes: readonly string[] } }>)[name]!;

    const CounterBase = await load('one-event/src/generated/counter/counter.base.ts', 'CounterBase');
    class Counter extends CounterBase {
      increment(by: number) {
        this.raise('Incremented', { by });
      }
    }
    const counter = new Counter('c-1');
    counter.increment(2);
    counter.increment(3);
    expect(counter.state).toEqual({ count: 3 });
    const ids = counter.uncommittedEvents().map((pending) => pending.eventId);
    expect(ids).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/), expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    expect(ids[0]).not.toBe(ids[1]);

    const DoorBase = await load('zero-payload/src/generated/door/door.base.ts', 'DoorBase');
    class Door extends DoorBase {
      open() {
        this.raise('Opened', {});
      }
      close() {
        this.raise('Closed', {});
      }
      onClosed() {
        this.patchState({ position: 'closed' });
      }
    }
    const door = new Door('d-1');
    door.open();
    const opened = door.uncommittedEvents()[0]!;
    expect(door.state).toEqual({ position: 'open', lastOpenedId: opened.eventId });
    door.close();
    expect(door.state).toEqual({ position: 'closed', lastOpenedId: opened.eventId });

    const PlaceholderBase = await load('no-events/src/generated/placeholder/placeholder.base.ts', 'PlaceholderBase');
    class Placeholder extends PlaceholderBase {}
    expect(new Placeholder('p-1').snapshotState()).toEqual({});
    expect(PlaceholderBase.definition.eventTypes).toEqual([]);
  });
});
