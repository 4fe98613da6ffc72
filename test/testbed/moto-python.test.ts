import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findMotoPython, MOTO_REQUIREMENT, startLocalAws, venvInterpreter } from '../../testbed/index.js';
import { runBinary } from '../support/cli.js';
import { pythonWithoutMoto } from '../support/python-without-moto.js';
import { temporaryDirectory } from '../support/temporary-directory.js';

// The demo's own set-up on a fresh machine. There is no PyPI here, so the install itself can only fail; what
// is tested is that nothing is made where moto is already there, that an environment made earlier is found,
// and that a failed install says what to install and where, and leaves nothing half-made.
describe('the Python that runs the local AWS', () => {
  const saved = { ...process.env };
  let dir = '';

  beforeEach(() => {
    dir = temporaryDirectory('lsi-python-');
    delete process.env.LSI_PYTHON;
    delete process.env.LSI_VENV;
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('is python3 itself when it has moto 5.2.1, and nothing is created', async () => {
    const venvDir = join(dir, '.venv');
    expect(await findMotoPython({ venvDir, install: true })).toBe('python3');
    expect(existsSync(venvDir)).toBe(false);
  });

  it('is LSI_PYTHON when set, whatever python3 has', async () => {
    process.env.LSI_PYTHON = 'python3';
    const noMoto = join(pythonWithoutMoto(dir), 'python3');
    expect(await findMotoPython({ systemPython: noMoto, venvDir: join(dir, '.venv') })).toBe('python3');
    process.env.LSI_PYTHON = noMoto;
    await expect(findMotoPython({ install: true })).rejects.toThrow(
      `${noMoto} cannot import moto[server] (ModuleNotFoundError: No module named 'moto'); install ${MOTO_REQUIREMENT} for that interpreter`,
    );
  });

  it('is the virtual environment made earlier when python3 lacks moto, and the local AWS starts from it', async () => {
    const venvDir = join(dir, '.venv');
    // An environment as the demo leaves it (it sees the packages of the Python that has moto).
    execFileSync('python3', ['-m', 'venv', '--system-site-packages', '--without-pip', venvDir]);
    process.env.PATH = `${pythonWithoutMoto(dir)}${delimiter}${process.env.PATH}`;
    process.env.LSI_VENV = venvDir;
    expect(await findMotoPython()).toBe(venvInterpreter(venvDir));
    const aws = await startLocalAws();
    try {
      const { Regions } = await aws.clients().ec2.send(new DescribeRegionsCommand({}));
      expect(Regions?.map((region) => region.RegionName)).toContain('us-east-1');
    } finally {
      await aws.stop();
    }
  }, 180_000);

  it('without moto and without PyPI: the demo tries, then names what to install and where, and removes what it made', async () => {
    const venvDir = join(dir, '.venv');
    const run = await runBinary(['demo', '--json'], {
      timeoutMs: 170_000,
      env: {
        PATH: `${pythonWithoutMoto(dir)}${delimiter}${process.env.PATH}`,
        HOME: dir,
        LSI_VENV: venvDir,
        // No index to reach, at once: pip fails as it does offline, without waiting out its retries.
        PIP_INDEX_URL: 'http://127.0.0.1:9/simple',
        PIP_RETRIES: '0',
        PIP_TIMEOUT: '1',
      },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Creating a Python virtual environment for the local AWS in ${venvDir}`);
    expect(run.stderr).toContain(`Installing ${MOTO_REQUIREMENT} into ${venvDir} with pip...`);
    const { error } = run.json<{ error: { code: string; message: string } }>();
    expect(error.code).toBe('LocalAwsUnavailableError');
    expect(error.message).toContain(`pip could not install ${MOTO_REQUIREMENT} into ${venvDir}`);
    expect(error.message).toContain(`install it yourself: python3 -m pip install '${MOTO_REQUIREMENT}'`);
    expect(existsSync(venvDir)).toBe(false);
  }, 180_000);
});
