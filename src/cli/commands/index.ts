import type { RegisterCommand } from '../command.js';
import { registerCost } from './cost.js';

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly RegisterCommand[] = [registerCost];
