/**
 * The test functions' handler: asks an IP echo endpoint which address its request came from and returns
 * it with a timestamp; `ip: null` when the request found no way out (an ENI without an Elastic IP in a
 * public subnet has no egress). checkip.amazonaws.com answers with the caller's address and a newline.
 */
export const ECHO_HANDLER_SOURCE = `export const handler = async () => {
  const at = Date.now();
  try {
    const response = await fetch('https://checkip.amazonaws.com/', { signal: AbortSignal.timeout(2000) });
    return { ip: (await response.text()).trim(), at };
  } catch (error) {
    return { ip: null, at, error: String(error) };
  }
};
`;

/** The handler's file name and Lambda `Handler` setting. */
export const ECHO_HANDLER = { file: 'index.mjs', handler: 'index.handler' } as const;
