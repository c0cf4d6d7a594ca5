import type { Command } from 'commander';
import { withDatabase } from '../database-session.js';
import { addDatabaseOptions, type DatabaseFlags } from '../database-target.js';
import { CliInputError, loadTargetRegistry } from '../load-registry.js';

/**
 * `esgen pii forget|export|rotate-master-key`: data-subject requests and key rotation
 * (docs/personal-data.md). The master key comes from the environment variable named by
 * `--master-key-env` (default ESGEN_MASTER_KEY: 32 bytes, base64 or hex), the previous one for a
 * rotation from `--previous-key-env`. Registry and database are resolved as for `esgen projections`.
 */
interface PiiFlags extends DatabaseFlags {
  readonly registry?: string;
  readonly masterKeyEnv: string;
}

type EventSourcing = import('../../runtime/index.js').EventSourcing;

export function register(program: Command): void {
  const pii = program.command('pii').description('forget or export a data subject, rotate the master key (docs/personal-data.md)');
  const withOptions = (command: Command) =>
    addDatabaseOptions(command)
      .option('--registry <module>', 'generated registry module (default: <config output>/registry.ts)')
      .option('--master-key-env <name>', 'environment variable holding the master key', 'ESGEN_MASTER_KEY');

  withOptions(pii.command('forget <subject>').description('delete the key of a data subject (crypto-shredding) and rebuild the read models holding their data'))
    .option('--no-rebuild', 'leave the read models to `esgen projections rebuild`')
    .action(async (subject: string, flags: PiiFlags & { rebuild: boolean }) => {
      await withEventSourcing(flags, async (es) => {
        const report = await es.forget(subject, { rebuildReadModels: flags.rebuild });
        const models = report.readModels.length === 0 ? 'no read model holds their data' : `${report.rebuilt ? 'rebuilt' : 'to rebuild'}: ${report.readModels.join(', ')}`;
        console.log(`esgen: forgot ${subject}${report.hadKey ? '' : ' (no key was left)'}; ${report.snapshotsDeleted} snapshot(s) deleted; ${models}`);
      });
    });

  withOptions(pii.command('export <subject>').description('print every event of a data subject with their personal values, as JSON')).action(
    async (subject: string, flags: PiiFlags) => {
      await withEventSourcing(flags, async (es) => {
        console.log(JSON.stringify(await es.exportSubject(subject), null, 2));
      });
    },
  );

  withOptions(pii.command('rotate-master-key').description('re-wrap every data key with the master key (from --master-key-env); events are untouched'))
    .requiredOption('--previous-key-env <name>', 'environment variable holding the master key being replaced')
    .action(async (flags: PiiFlags & { previousKeyEnv: string }) => {
      await withEventSourcing(flags, async (es, env) => {
        const previous = keyFrom(env, flags.previousKeyEnv);
        const { rewrapped } = await es.rotateMasterKey(() => previous);
        console.log(`esgen: re-wrapped ${rewrapped} data key(s) with the master key from ${flags.masterKeyEnv}`);
      });
    });
}

function keyFrom(env: Readonly<Record<string, string | undefined>>, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new CliInputError(`the environment variable ${name} (the master key) is not set`);
  return value;
}

function withEventSourcing(flags: PiiFlags, work: (es: EventSourcing, env: Readonly<Record<string, string | undefined>>) => Promise<void>): Promise<void> {
  return withDatabase(
    flags,
    // The key and the registry first: a missing variable or module is reported before anything connects.
    async (_runtime, target) => ({ masterKey: keyFrom(target.context.env, flags.masterKeyEnv), registry: await loadTargetRegistry(flags.registry, target) }),
    async ({ runtime, client, target }, { masterKey, registry }) => {
      const es = await runtime.createEventSourcing({ registry, client, ...(target.schema === undefined ? {} : { schema: target.schema }), personalData: { masterKey: () => masterKey } });
      try {
        await work(es, target.context.env);
      } finally {
        await es.close().catch(() => undefined);
      }
    },
  );
}
