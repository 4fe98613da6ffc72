import { afterAll } from 'vitest';
import { removeTemporaryDirectories } from './temporary-directory.js';

// A setup file of every test file (vitest.config.ts): what a test file made in the temp dir goes with it.
afterAll(removeTemporaryDirectories);
