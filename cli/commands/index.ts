import type { Command } from 'commander';
import { register as registerInit } from './init.js';
import { register as registerValidate } from './validate.js';
import { register as registerBuild } from './build.js';
import { register as registerCheck } from './check.js';
import { register as registerWatch } from './watch.js';
import { register as registerDocs } from './docs.js';
import { register as registerDb } from './db.js';
import { register as registerProjections } from './projections.js';
import { register as registerEvents } from './events.js';
import { register as registerPublish } from './publish.js';
import { register as registerPii } from './pii.js';

/** Each command module registers itself; its implementation is imported inside the action. */
export type RegisterCommand = (program: Command) => void;

// Commands appear in --help in this order.
export const commands: readonly RegisterCommand[] = [
  registerInit,
  registerValidate,
  registerBuild,
  registerCheck,
  registerWatch,
  registerDocs,
  registerDb,
  registerProjections,
  registerEvents,
  registerPublish,
  registerPii,
];
