import { Command } from 'commander';
import type { RegisterCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';

export const registerDemo: RegisterCommand = (program, run) => {
  program.addCommand(
    new Command('demo')
      .description(
        'run the whole story on a local AWS (needs python3 with moto[server] 5.2.1): bind a pool, let Lambda replace and add ENIs, keep the IPs',
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
