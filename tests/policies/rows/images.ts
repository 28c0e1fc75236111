import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { LocalFileStore } from '../../../server/files/local.ts';
import { fileStore, setFileStore } from '../../../server/modules/resources/upload.ts';
import type { TestApp } from '../../support/app.ts';
import { pngImage } from '../../support/directory.ts';
import { only, type Row, type Target, type World } from '../matrix.ts';

/**
 * Authorization matrix rows for the images routes (owner: D1). Only functions here: this module is
 * imported by matrix.ts, so its constants (ACTIVE, STAFF, …) exist only once the rows are built.
 *
 * GET /api/images/:id is object-level: 'own' is a profile picture the caller uploaded (not yet anyone's
 * current photo), 'other' one the other member uploaded — nobody but its uploader may see that, staff
 * included, and the route answers 404 so as not to reveal it.
 */

let sharedRoot: string | null = null;
function store(t: TestApp): LocalFileStore {
  if (!sharedRoot) {
    sharedRoot = mkdtempSync(path.join(os.tmpdir(), 'tfc-matrix-images-'));
    const root = sharedRoot;
    process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  }
  const s = new LocalFileStore(sharedRoot);
  setFileStore(t.deps, s);
  return s;
}

async function insertImage(t: TestApp, uploadedBy: number): Promise<number> {
  store(t);
  const stored = await fileStore(t.deps).put(Readable.from([await pngImage()]));
  return Number(
    t.db.$client
      .prepare(
        `INSERT INTO images (purpose, sha256, mime_type, size, width, height, uploaded_by, created_at)
         VALUES ('profile', ?, 'image/png', ?, 40, 30, ?, ?)`
      )
      .run(stored.sha256, stored.size, uploadedBy, t.clock.now()).lastInsertRowid
  );
}

const imageFor = async (w: World, target: Target, callerId: number | null) =>
  insertImage(w.t, target === 'own' && callerId !== null ? callerId : w.otherMemberId);

export function imageRows(): Row[] {
  const OWN_ONLY: Row['expect'] = { ...only(), member: 'own', coordinator: 'own', moderator: 'own', editor: 'own', admin: 'own' };
  return [
    {
      // Spotlight pictures: editors and admins. (The JSON body is refused with 415 once through the gate.)
      route: 'POST /api/images',
      access: 'directory.use',
      expect: only('editor', 'admin'),
      send: () => ({ query: { purpose: 'spotlight' }, body: {} })
    },
    {
      route: 'GET /api/images/:id',
      access: 'directory.use',
      expect: OWN_ONLY,
      objectLevel: true,
      hidesAs404: true,
      send: async (w, target, callerId) => ({ params: { id: await imageFor(w, target, callerId) } })
    }
  ];
}
