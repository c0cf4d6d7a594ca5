import type { Command } from 'commander';

/** Each command module registers itself; its implementation is imported inside the action. */
export type RegisterCommand = (program: Command) => void;

// Commands appear in --help in this order.
export const commands: readonly RegisterCommand[] = [];
