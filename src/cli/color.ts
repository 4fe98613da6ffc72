/**
 * Whether to colour the output, in this order: `--no-color` always wins; then FORCE_COLOR, when set to
 * anything but an empty string, `0` or `false`, forces colour (Node.js gives it precedence over NO_COLOR
 * too: https://nodejs.org/api/cli.html#force_color1-2-3); then NO_COLOR, when set and not empty,
 * turns it off (https://no-color.org); otherwise colour only when stdout is a terminal and not --json.
 */
export function useColor(input: {
  /** False when --no-color was given. */
  readonly flag: boolean;
  readonly json: boolean;
  readonly stdoutIsTty: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}): boolean {
  if (!input.flag) return false;
  const force = input.env.FORCE_COLOR?.trim().toLowerCase();
  if (force && force !== '0' && force !== 'false') return true;
  if (input.env.NO_COLOR) return false;
  return input.stdoutIsTty && !input.json;
}
