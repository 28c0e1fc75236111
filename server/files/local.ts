import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ByteRange, FileStore, StagedFile, StoredFile } from './store.ts';

const KEY = /^[0-9a-f]{64}$/;

class TooLarge extends Error {}

async function fsyncPath(target: string, flags: 'r' | 'r+'): Promise<void> {
  const handle = await open(target, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Files on local disk under `root` (DATA_DIR/files): content at root/ab/cd/<sha256>, uploads in
 * progress in root/tmp. A commit is write → fsync file → rename → fsync directory, so a file that a
 * committed row names survives a power cut. Only this process writes here.
 */
export class LocalFileStore implements FileStore {
  readonly tmpDir: string;

  constructor(readonly root: string) {
    this.tmpDir = path.join(root, 'tmp');
  }

  pathOf(key: string): string {
    if (!KEY.test(key)) throw new Error('Not a file key');
    return path.join(this.root, key.slice(0, 2), key.slice(2, 4), key);
  }

  async stage(source: Readable, opts: { maxBytes?: number } = {}): Promise<StagedFile> {
    await mkdir(this.tmpDir, { recursive: true });
    const tempPath = path.join(this.tmpDir, `${randomBytes(16).toString('hex')}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const maxBytes = opts.maxBytes ?? Number.MAX_SAFE_INTEGER;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > maxBytes) return done(new TooLarge());
        hash.update(chunk);
        done(null, chunk);
      }
    });
    try {
      await pipeline(source, counter, createWriteStream(tempPath, { flags: 'wx', mode: 0o600 }));
      await fsyncPath(tempPath, 'r+');
    } catch (err) {
      await rm(tempPath, { force: true });
      if (err instanceof TooLarge) return { tempPath, sha256: '', size, tooLarge: true };
      throw err;
    }
    return { tempPath, sha256: hash.digest('hex'), size, tooLarge: false };
  }

  async commit(staged: StagedFile): Promise<StoredFile> {
    if (staged.tooLarge) throw new Error('A file over the limit cannot be committed');
    const final = this.pathOf(staged.sha256);
    const dir = path.dirname(final);
    const created = await mkdir(dir, { recursive: true });
    if (await this.exists(staged.sha256)) {
      // Stored once: the same bytes are already durable under this name.
      await rm(staged.tempPath, { force: true });
    } else {
      await rename(staged.tempPath, final);
      await fsyncPath(dir, 'r');
      // New directories must themselves be durable in their parents.
      if (created) {
        await fsyncPath(path.dirname(dir), 'r');
        await fsyncPath(this.root, 'r');
      }
    }
    return { key: staged.sha256, sha256: staged.sha256, size: staged.size };
  }

  async discard(staged: StagedFile): Promise<void> {
    await rm(staged.tempPath, { force: true });
  }

  async put(source: Readable, opts: { maxBytes?: number } = {}): Promise<StoredFile> {
    const staged = await this.stage(source, opts);
    if (staged.tooLarge) throw new Error('The file is larger than allowed');
    return this.commit(staged);
  }

  async open(key: string, range?: ByteRange): Promise<Readable> {
    const file = this.pathOf(key);
    // Open first, so a missing file fails here rather than mid-reply.
    const handle = await open(file, 'r');
    // The stream owns the handle and closes it when it ends or is destroyed.
    return handle.createReadStream({ autoClose: true, ...(range ? { start: range.start, end: range.end } : {}) });
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch {
      return false;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  /**
   * Synchronous delete, for callers that must check "no row names this file" and remove it in the
   * same tick (no other request can insert a row naming it in between).
   */
  deleteNow(key: string): void {
    rmSync(this.pathOf(key), { force: true });
  }

  /** Every stored key (maintenance sweeps and tests). */
  async keys(): Promise<string[]> {
    const found: string[] = [];
    const level = async (dir: string, depth: number): Promise<void> => {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        return;
      }
      for (const name of names) {
        if (depth === 0 && name === 'tmp') continue;
        if (depth < 2) await level(path.join(dir, name), depth + 1);
        else if (KEY.test(name)) found.push(name);
      }
    };
    await level(this.root, 0);
    return found;
  }

  /** Names in the temp folder (tests and the sweep). */
  async tempFiles(): Promise<string[]> {
    try {
      return await readdir(this.tmpDir);
    } catch {
      return [];
    }
  }
}
