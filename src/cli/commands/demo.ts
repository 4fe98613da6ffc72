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
          // The only front door that loads the test bed, and only when asked: production paths never do.
          const { runDemo } = await import('../../../testbed/demo.js');
          const result = await runDemo(output);
          output.result(result, () => '');
          return ExitCode.Ok;
        }),
      ),
  );
};
