import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { zipArchive } from '../core/zip-archive.js';

/**
 * A directory as a zip archive (files in name order; see `zipArchive`), for the code assets the plugin
 * uploads beside Serverless's own artifacts. Deterministic: the same directory gives the same bytes.
 */
export function zipDirectory(root: string): Buffer {
  return zipArchive(
    filesUnder(root).map((path) => ({
      name: relative(root, path).split(sep).join('/'),
      data: readFileSync(path),
    })),
  );
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory)
    .sort()
    .flatMap((entry) => {
      const path = join(directory, entry);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}
