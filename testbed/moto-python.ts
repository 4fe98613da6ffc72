import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LocalAwsUnavailableError } from './local-aws-unavailable.js';

/** The moto release the test bed's patches (testbed/moto/patches.py) are written for. */
export const MOTO_VERSION = '5.2.1';
/** What pip installs for the local AWS. */
export const MOTO_REQUIREMENT = `moto[server]==${MOTO_VERSION}`;

export interface MotoPythonOptions {
  /** An interpreter to use as it is, never installed into. @default LSI_PYTHON */
  readonly python?: string;
  /** The system's Python 3, used when it has moto and to make the virtual environment. @default `python3` */
  readonly systemPython?: string;
  /** The project-local virtual environment. @default LSI_VENV, then `.venv` in the package's directory */
  readonly venvDir?: string;
  /**
   * When no interpreter has moto: create the virtual environment (seeing the system's packages) and pip
   * install moto into it. @default false: only find an interpreter; the demo sets it
   */
  readonly install?: boolean;
  /** Progress of an install, a line at a time (the demo writes it to stderr). */
  readonly onProgress?: (line: string) => void;
}

/**
 * The Python interpreter that runs the local AWS: `LSI_PYTHON` if set; else `python3` if it has moto 5.2.1
 * (CI, a machine set up by hand: nothing is created); else the project-local virtual environment's; else,
 * with `install`, that environment made and moto installed into it. Throws LocalAwsUnavailableError naming
 * what to install and where.
 */
export async function findMotoPython(options: MotoPythonOptions = {}): Promise<string> {
  const explicit = options.python ?? process.env.LSI_PYTHON;
  if (explicit !== undefined) {
    const probe = checkLocalAwsAvailable(explicit);
    if (!probe.ok) throw new LocalAwsUnavailableError(`the local AWS cannot start: ${probe.reason}`);
    return explicit;
  }
  const system = options.systemPython ?? 'python3';
  const systemProbe = checkLocalAwsAvailable(system);
  if (systemProbe.ok) return system;

  const venvDir = options.venvDir ?? process.env.LSI_VENV ?? defaultVenvDir();
  const venvPython = venvInterpreter(venvDir);
  if (existsSync(venvPython) && checkLocalAwsAvailable(venvPython).ok) return venvPython;
  if (options.install !== true || !systemProbe.runnable) {
    throw new LocalAwsUnavailableError(
      `the local AWS cannot start: ${systemProbe.reason}, and ${venvDir} has no Python with it; run ` +
        `lambda-static-ip demo once to set that up, or install it: ${pipCommand(system)}, or set LSI_PYTHON`,
    );
  }
  await installMoto(system, venvDir, options.onProgress ?? (() => {}));
  const installed = checkLocalAwsAvailable(venvPython);
  if (!installed.ok) throw new LocalAwsUnavailableError(`the local AWS cannot start: ${installed.reason}`);
  return venvPython;
}

/** Checks that `python` can import moto 5.2.1 with its server extra, without starting a server. */
export function checkLocalAwsAvailable(
  python: string,
): { ok: true } | { ok: false; reason: string; runnable: boolean } {
  const probe = spawnSync(python, ['-c', 'import moto, flask; print(moto.__version__)'], {
    encoding: 'utf8',
  });
  if (probe.error) {
    return {
      ok: false,
      reason: `cannot run ${python} (${probe.error.message}); install Python 3 or set LSI_PYTHON`,
      runnable: false,
    };
  }
  if (probe.status !== 0) {
    return {
      ok: false,
      reason: `${python} cannot import moto[server] (${lastLine(probe.stderr)}); install ${MOTO_REQUIREMENT} for that interpreter`,
      runnable: true,
    };
  }
  const version = probe.stdout.trim();
  if (version !== MOTO_VERSION) {
    return {
      ok: false,
      reason: `${python} has moto ${version}; the test bed's patches are written for moto ${MOTO_VERSION} (pip install '${MOTO_REQUIREMENT}')`,
      runnable: true,
    };
  }
  return { ok: true };
}

/** The virtual environment's interpreter, where `venv` puts it on this platform. */
export function venvInterpreter(venvDir: string): string {
  return process.platform === 'win32'
    ? join(venvDir, 'Scripts', 'python.exe')
    : join(venvDir, 'bin', 'python');
}

/** `.venv` in the package's directory: the checkout, or node_modules/lambda-static-ip when installed. */
function defaultVenvDir(): string {
  // From source this file is in testbed/; compiled, in dist/testbed/. The package's directory is the one
  // with the launcher.
  const candidates = ['..', '../..'].map((up) => fileURLToPath(new URL(up, import.meta.url)));
  const root = candidates.find((dir) => existsSync(join(dir, 'testbed/moto/launch.py'))) ?? process.cwd();
  return join(root, '.venv');
}

async function installMoto(system: string, venvDir: string, say: (line: string) => void): Promise<void> {
  const created = !existsSync(venvInterpreter(venvDir));
  if (created) {
    say(
      `Creating a Python virtual environment for the local AWS in ${venvDir} (it sees the system's packages)...`,
    );
    const venv = await runStreaming(system, ['-m', 'venv', '--system-site-packages', venvDir], say);
    if (venv.code !== 0) {
      rmSync(venvDir, { recursive: true, force: true });
      throw new LocalAwsUnavailableError(
        `the local AWS cannot start: ${system} -m venv ${venvDir} failed (${venv.lastLine}); install the venv ` +
          `module (Debian, Ubuntu: apt install python3-venv), or install moto yourself: ${pipCommand(system)}, ` +
          'or set LSI_PYTHON to a Python that has it',
      );
    }
  }
  say(`Installing ${MOTO_REQUIREMENT} into ${venvDir} with pip...`);
  const python = venvInterpreter(venvDir);
  const pip = await runStreaming(
    python,
    ['-m', 'pip', 'install', '--disable-pip-version-check', MOTO_REQUIREMENT],
    say,
  );
  if (pip.code !== 0) {
    // A half-made environment we created helps no one; one that was there before stays.
    if (created) rmSync(venvDir, { recursive: true, force: true });
    throw new LocalAwsUnavailableError(
      `the local AWS cannot start: pip could not install ${MOTO_REQUIREMENT} into ${venvDir} (${pip.lastLine}); ` +
        `with access to PyPI run the demo again, or install it yourself: ${pipCommand(system)}, ` +
        'or set LSI_PYTHON to a Python that has it',
    );
  }
  say(`Installed ${MOTO_REQUIREMENT} into ${venvDir}; the local AWS runs ${python} from now on.`);
}

/** Runs a command, passing each line it prints to `say`; resolves with its exit code and last line. */
function runStreaming(
  command: string,
  args: readonly string[],
  say: (line: string) => void,
): Promise<{ code: number; lastLine: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let last = '';
    const onLine = (line: string) => {
      if (line.trim() === '') return;
      last = line.trim();
      say(`  ${line}`);
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    child.once('error', (error) => resolve({ code: -1, lastLine: error.message }));
    child.once('close', (code) => resolve({ code: code ?? -1, lastLine: last || `exit code ${code}` }));
  });
}

function pipCommand(python: string): string {
  return `${python} -m pip install '${MOTO_REQUIREMENT}'`;
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}
