import type { StreamSettings } from '../../runtime/publish/jetstream-publisher.js';

/** The project configuration with every default written out and every path absolute. */
export interface ResolvedConfig {
  /** Absolute folder of esgen.config.yaml; spec files and IR `file` paths are relative to it. */
  readonly root: string;
  /** Absolute path of the config file. */
  readonly configFile: string;
  /** Globs relative to root, e.g. ['domain/**\/*.esgen.yaml']. */
  readonly specs: readonly string[];
  /** Absolute folder of generated code (config key `output`, default 'src/generated'). */
  readonly output: string;
  /** Absolute folder where user-owned files are scaffolded (config key `source`, default 'src/domain'). */
  readonly source: string;
  /** Module generated code imports the runtime from; default 'esgen/runtime'. */
  readonly runtimeImport: string;
  /** url from the config, else DATABASE_URL from the env passed in; dataDir default '.esgen/pgdata' (absolute). */
  readonly database: { readonly url?: string; readonly dataDir: string; readonly schema?: string };
  /** The `publishers:` section as written (checked against the schema); {} when absent. */
  readonly publishers: Readonly<Record<string, PublisherConfig>>;
}

/** One entry of `publishers:` (schemas/esgen.config.schema.json; docs/message-bus.md). */
export interface PublisherConfig {
  readonly servers?: string | readonly string[];
  readonly subjectPrefix: string;
  /** As the runtime takes it (created or verified at start). */
  readonly stream: StreamSettings;
  readonly events?: readonly string[];
  readonly aggregates?: readonly string[];
  readonly from?: 'start' | 'now';
  readonly batchSize?: number;
  readonly ackTimeoutMs?: number;
}

export const configFileName = 'esgen.config.yaml';

export const configDefaults = {
  specs: ['domain/**/*.esgen.yaml'],
  output: 'src/generated',
  source: 'src/domain',
  runtimeImport: 'esgen/runtime',
  dataDir: '.esgen/pgdata',
} as const;
