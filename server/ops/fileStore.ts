import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync
} from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import path from 'node:path';

/**
 * Durable small-file helpers for backups and restores: write to a temporary name, fsync, rename,
 * fsync the folder. A crash leaves either the old state or the new one, never half a file.
 */

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function fsyncFile(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Streams `from` to `to` (through a temporary name), returning the SHA-256 of what was written. */
export async function copyHashed(from: string, to: string): Promise<{ sha256: string; bytes: number }> {
  mkdirSync(path.dirname(to), { recursive: true });
  const tmp = `${to}.${randomBytes(6).toString('hex')}.partial`;
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    }
  });
  try {
    await pipeline(createReadStream(from), tap, createWriteStream(tmp, { flags: 'wx', mode: 0o600 }));
    fsyncFile(tmp);
    renameSync(tmp, to);
    fsyncDir(path.dirname(to));
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return { sha256: hash.digest('hex'), bytes };
}

export async function sha256File(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Where a file with this content lives in a backup's content-addressed store. */
export function storePath(storeDir: string, sha256: string): string {
  return path.join(storeDir, sha256.slice(0, 2), sha256);
}

/**
 * Puts a file into the content-addressed store unless content with its hash is already there
 * (`knownSha256`: the hash the previous backup recorded for the same path, size and mtime, so an
 * unchanged file is not even read). A new file is hashed again as it is copied and kept only under
 * the hash its copy really has.
 */
export async function storeFile(
  storeDir: string,
  from: string,
  knownSha256?: string
): Promise<{ sha256: string; bytes: number; added: boolean }> {
  const sha256 = knownSha256 ?? (await sha256File(from)).sha256;
  if (existsSync(storePath(storeDir, sha256))) return { sha256, bytes: statSync(from).size, added: false };
  const landing = path.join(storeDir, 'incoming', randomBytes(8).toString('hex'));
  const written = await copyHashed(from, landing);
  const target = storePath(storeDir, written.sha256);
  if (existsSync(target)) {
    rmSync(landing, { force: true });
    return { ...written, added: false };
  }
  mkdirSync(path.dirname(target), { recursive: true });
  renameSync(landing, target);
  fsyncDir(path.dirname(target));
  return { ...written, added: true };
}
