import { open, type FileHandle } from 'node:fs/promises';

/**
 * Legacy Office files (DOC, XLS, PPT) are Compound File Binary containers, and so are Windows
 * installers (MSI) and other things. Which it is shows in the names of the streams in its
 * directory: read just the directory (MS-CFB §2.2, §2.6), never the whole file.
 */

const SIGNATURE = Buffer.from('d0cf11e0a1b11ae1', 'hex');
const END_OF_CHAIN = 0xfffffffe;
const MAX_SECTORS = 5000;

export type LegacyOffice = 'doc' | 'xls' | 'ppt';

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  if (bytesRead < length) throw new Error('truncated compound file');
  return buffer;
}

/** The stream names in a compound file's directory (at most a few thousand), or null if it is not one. */
export async function compoundFileNames(filePath: string): Promise<string[] | null> {
  const handle = await open(filePath, 'r');
  try {
    const header = await readAt(handle, 0, 512);
    if (!header.subarray(0, 8).equals(SIGNATURE)) return null;
    const shift = header.readUInt16LE(0x1e);
    if (shift !== 9 && shift !== 12) return null;
    const sectorSize = 1 << shift;
    const perFatSector = sectorSize / 4;
    const firstDirSector = header.readUInt32LE(0x30);
    const firstDifatSector = header.readUInt32LE(0x44);
    const difatCount = header.readUInt32LE(0x48);
    const sectorOffset = (sector: number) => (sector + 1) * sectorSize;

    // The FAT sectors' own locations: 109 in the header, the rest in a chain of DIFAT sectors.
    const fatSectors: number[] = [];
    for (let i = 0; i < 109; i++) fatSectors.push(header.readUInt32LE(0x4c + i * 4));
    let difat = firstDifatSector;
    for (let n = 0; n < difatCount && difat < END_OF_CHAIN && n < MAX_SECTORS; n++) {
      const block = await readAt(handle, sectorOffset(difat), sectorSize);
      for (let i = 0; i < perFatSector - 1; i++) fatSectors.push(block.readUInt32LE(i * 4));
      difat = block.readUInt32LE(sectorSize - 4);
    }
    const next = async (sector: number): Promise<number> => {
      const fatSector = fatSectors[Math.floor(sector / perFatSector)];
      if (fatSector === undefined || fatSector >= END_OF_CHAIN) return END_OF_CHAIN;
      return (await readAt(handle, sectorOffset(fatSector) + (sector % perFatSector) * 4, 4)).readUInt32LE(0);
    };

    const names: string[] = [];
    let sector = firstDirSector;
    for (let n = 0; sector < END_OF_CHAIN && n < MAX_SECTORS; n++) {
      const block = await readAt(handle, sectorOffset(sector), sectorSize);
      for (let offset = 0; offset < sectorSize; offset += 128) {
        const nameBytes = block.readUInt16LE(offset + 0x40);
        const objectType = block[offset + 0x42];
        if (objectType === 0 || nameBytes < 2 || nameBytes > 64) continue;
        names.push(block.subarray(offset, offset + nameBytes - 2).toString('utf16le'));
      }
      sector = await next(sector);
    }
    return names;
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}

/** Which legacy Office format a compound file is, or null (an installer, a thumbnail cache, anything else). */
export async function legacyOfficeKind(filePath: string): Promise<LegacyOffice | null> {
  const names = await compoundFileNames(filePath);
  if (!names) return null;
  if (names.includes('WordDocument')) return 'doc';
  if (names.includes('Workbook') || names.includes('Book')) return 'xls';
  if (names.includes('PowerPoint Document')) return 'ppt';
  return null;
}
