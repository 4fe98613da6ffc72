import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Makes `<dir>/bin/python3`, a Python 3 as a machine without moto has it: the real interpreter without its
 * site-packages (`-S`), whose virtual environments do not see them either (`--system-site-packages` is
 * dropped). Put `<dir>/bin` first on PATH to make it the machine's `python3`. Returns the bin directory.
 */
export function pythonWithoutMoto(dir: string): string {
  const real = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {
    encoding: 'utf8',
  }).trim();
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const python = join(bin, 'python3');
  writeFileSync(
    python,
    [
      `#!${real} -S`,
      'import os, sys',
      "args = [arg for arg in sys.argv[1:] if arg != '--system-site-packages']",
      "os.execv(sys.executable, [sys.executable, '-S', *args])",
      '',
    ].join('\n'),
  );
  chmodSync(python, 0o755);
  return bin;
}
