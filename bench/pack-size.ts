import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface PackReport {
  /** Size of the `npm pack` tarball in KB, or null when dist/ has not been built. */
  readonly packKb: number | null;
  /** Files in the tarball, or null when dist/ has not been built. */
  readonly packFiles: number | null;
}

/** What `npm pack` would publish, measured without writing the tarball (--dry-run). */
export function measurePack(): PackReport {
  const root = fileURLToPath(new URL('..', import.meta.url));
  // An unbuilt checkout packs without dist/: a size for it would mean nothing.
  if (!existsSync(`${root}/dist/cjs/index.js`)) return { packKb: null, packFiles: null };
  const output = execFileSync(
    'npm',
    ['pack', '--dry-run', '--json', '--ignore-scripts', '--loglevel=error'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  const [report] = JSON.parse(output) as [{ size: number; entryCount: number }];
  return { packKb: Math.round(report.size / 1024), packFiles: report.entryCount };
}

export function renderPack(report: PackReport): string {
  return report.packKb === null
    ? 'Package: not built (npm run build), so not measured.'
    : `Package: the npm pack tarball is ${report.packKb} KB (${report.packFiles} files).`;
}
