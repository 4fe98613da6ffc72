import { crc32, deflateRawSync } from 'node:zlib';

/** One file of a zip archive: its path inside the archive (`/`-separated) and its bytes. */
export interface ZipEntry {
  readonly name: string;
  readonly data: Buffer;
}

/**
 * A zip archive of `entries`, in the order given (deflate, fixed timestamps, regular rw-r--r-- files):
 * the same entries give the same bytes, so an unchanged code asset keeps its S3 object. Small on purpose:
 * no zip64, which Lambda code under 50 MB zipped never needs. Format: PKWARE APPNOTE.TXT (local headers,
 * central directory, end record).
 */
export function zipArchive(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name: path, data } of entries) {
    const name = Buffer.from(path, 'utf8');
    const packed = deflateRawSync(data);
    const entry = {
      checksum: crc32(data),
      packedSize: packed.length,
      size: data.length,
      nameLength: name.length,
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    writeEntryFields(local, 4, entry);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0
    writeEntryFields(central, 6, entry);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // a regular file, rw-r--r--
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/**
 * The fields a local header (from byte 4) and a central directory entry (from byte 6) share, in the same
 * order: version needed, flags, method, time, date, CRC-32, sizes, name length.
 */
function writeEntryFields(
  header: Buffer,
  at: number,
  entry: { checksum: number; packedSize: number; size: number; nameLength: number },
): void {
  header.writeUInt16LE(20, at); // version needed: 2.0 (deflate)
  header.writeUInt16LE(0x0800, at + 2); // names are UTF-8
  header.writeUInt16LE(8, at + 4); // deflate
  header.writeUInt16LE(0, at + 6); // 00:00 ...
  header.writeUInt16LE((1 << 5) | 1, at + 8); // ... on 1980-01-01: no build time leaks into the bytes
  header.writeUInt32LE(entry.checksum, at + 10);
  header.writeUInt32LE(entry.packedSize, at + 14);
  header.writeUInt32LE(entry.size, at + 18);
  header.writeUInt16LE(entry.nameLength, at + 22);
}
