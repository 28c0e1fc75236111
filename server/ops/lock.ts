import { readFileSync, rmSync, writeFileSync } from 'node:fs';

export class LockedError extends Error {}

/** Whether a process with this id is running (on this machine). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A lock file holding the owner's process id, created exclusively. A lock whose process is gone
 * (killed mid-backup) is taken over; a live one refuses with `busyMessage`.
 */
export function acquireLock(file: string, busyMessage: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let owner = 0;
      try {
        owner = Number(readFileSync(file, 'utf8').trim());
      } catch {
        // Vanished meanwhile: try again.
      }
      if (owner === process.pid || processAlive(owner)) throw new LockedError(`${busyMessage} (process ${owner}).`);
      rmSync(file, { force: true });
    }
  }
  throw new LockedError(busyMessage);
}
