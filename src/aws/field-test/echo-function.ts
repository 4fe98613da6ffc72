import { crc32 } from 'node:zlib';

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

/**
 * A zip archive holding one file, stored uncompressed: the smallest valid deployment package, built
 * without a dependency (local file header, central directory, end record; PKWARE APPNOTE 4.3).
 */
export function zipOneFile(name: string, content: string): Uint8Array {
  const nameBytes = Buffer.from(name, 'utf8');
  const data = Buffer.from(content, 'utf8');
  const checksum = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt16LE(0, 6); // flags
  local.writeUInt16LE(0, 8); // stored
  local.writeUInt32LE(0, 10); // time and date
  local.writeUInt32LE(checksum, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  local.writeUInt16LE(0, 28);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(0x0314, 4); // made by: Unix (3), so the external attributes are a mode
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0, 8);
  central.writeUInt16LE(0, 10);
  central.writeUInt32LE(0, 12);
  central.writeUInt32LE(checksum, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: a regular, readable file
  central.writeUInt32LE(0, 42); // offset of the local header
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12);
  end.writeUInt32LE(local.length + nameBytes.length + data.length, 16);
  return Buffer.concat([local, nameBytes, data, central, nameBytes, end]);
}
