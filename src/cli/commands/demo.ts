import { Command } from 'commander';
import type { RegisterCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';

export const registerDemo: RegisterCommand = (program, run) => {
  program.addCommand(
    new Command('demo')
      .description(
        'run the whole story on a local AWS (moto 5.2.1; without it on python3, installs it into .venv of the package): bind a pool, let Lambda replace and add ENIs, keep the IPs',
      )
      .action(async (_options: unknown, self: Command) =>
        run(self, async ({ output }) => {
          // One of two front doors (with field-test --local) that load the test bed, only when asked.
          const { runDemo } = await import('../../../testbed/demo.js');
          const result = await runDemo(output);
          output.result(result, () => '');
          return ExitCode.Ok;
        }),
      ),
  );
};
