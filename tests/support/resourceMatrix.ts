import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { LocalFileStore } from '../../server/files/local.ts';
import { setFileStore } from '../../server/modules/resources/upload.ts';
import { call, type TestApp } from './app.ts';
import { signedMember } from './discussions.ts';
import { pdfWith } from './fileFixtures.ts';
import { uploadFile } from './resources.ts';

/** The objects the authorization matrix tries resource routes on. */
export interface MatrixLibrary {
  publicResource: number;
  /** File resources private to task force A ('own') and B ('other'), each with two versions, by an admin. */
  file: { own: number; other: number };
  /** Their first (no longer current) versions. */
  oldVersion: { own: number; other: number };
  /** Link resources private to A and B, by an admin. */
  link: { own: number; other: number };
  /** A deleted all-members resource. */
  deleted: number;
  /** A file resource by `memberId` private to A or B, written straight to the database (an author may be outside). */
  resourceBy(memberId: number, target: 'own' | 'other'): number;
}

export const LIBRARY_TITLES = {
  public: 'Matrix public resource',
  own: 'Matrix task force A resource',
  other: 'Matrix task force B resource'
} as const;
export const LIBRARY_TAGS = { public: 'matrix-public', own: 'matrix-own', other: 'matrix-other' } as const;

// Every matrix app shares one temporary store (files are content-addressed: the same few files).
let sharedRoot: string | null = null;
function matrixStore(): LocalFileStore {
  if (!sharedRoot) {
    sharedRoot = mkdtempSync(path.join(os.tmpdir(), 'tfc-matrix-files-'));
    const root = sharedRoot;
    process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  }
  return new LocalFileStore(sharedRoot);
}

/** Builds the matrix's library through the API, as an admin would. */
export async function buildMatrixLibrary(t: TestApp, taskForceA: number, taskForceB: number): Promise<MatrixLibrary> {
  setFileStore(t.deps, matrixStore());
  const admin = await signedMember(t, { role: 'admin' });
  const fields = (title: string, tag: string, taskForceIds: number[]) => ({
    title,
    description: 'Matrix practice resource.',
    type: 'protocol',
    tags: tag,
    ...(taskForceIds.length ? { audience: 'restricted', taskForceIds: taskForceIds.map(String) } : {})
  });
  const share = async (title: string, tag: string, taskForceIds: number[], text: string) => {
    const res = await uploadFile(
      t,
      admin.cookie,
      { name: 'matrix.pdf', content: pdfWith(text) },
      fields(title, tag, taskForceIds)
    );
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: number; versionId: number };
  };
  const newVersion = async (id: number) => {
    const res = await uploadFile(
      t,
      admin.cookie,
      { name: 'matrix-v2.pdf', content: pdfWith(`second ${id}`) },
      {},
      `/api/resources/${id}/versions`
    );
    expect(res.statusCode, res.body).toBe(201);
  };
  const linkTo = async (title: string, taskForceId: number) => {
    const res = await call(t.app, 'POST', '/api/resources', {
      cookie: admin.cookie,
      body: { title, type: 'toolkit', url: 'https://example.org/toolkit', audience: 'restricted', taskForceIds: [taskForceId] }
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as number;
  };
  const publicResource = (await share(LIBRARY_TITLES.public, LIBRARY_TAGS.public, [], 'public matrix')).id;
  const own = await share(LIBRARY_TITLES.own, LIBRARY_TAGS.own, [taskForceA], 'own matrix');
  const other = await share(LIBRARY_TITLES.other, LIBRARY_TAGS.other, [taskForceB], 'other matrix');
  await newVersion(own.id);
  await newVersion(other.id);
  const deleted = (await share('Matrix deleted resource', 'matrix-deleted', [], 'deleted matrix')).id;
  expect((await call(t.app, 'POST', `/api/resources/${deleted}/delete`, { cookie: admin.cookie, body: {} })).statusCode).toBe(
    200
  );
  const linkOwn = await linkTo('Matrix task force A link', taskForceA);
  const linkOther = await linkTo('Matrix task force B link', taskForceB);

  const db = t.db.$client;
  const template = (id: number) =>
    db.prepare('SELECT category_id AS categoryId, current_version_id AS versionId FROM resources WHERE id = ?').get(id) as {
      categoryId: number;
      versionId: number;
    };
  return {
    publicResource,
    file: { own: own.id, other: other.id },
    oldVersion: { own: own.versionId, other: other.versionId },
    link: { own: linkOwn, other: linkOther },
    deleted,
    resourceBy(memberId, target) {
      const source = template(target === 'own' ? own.id : other.id);
      const now = t.clock.now();
      return db.transaction(() => {
        const threadId = Number(
          db
            .prepare(
              `INSERT INTO threads (category_id, author_id, title, last_post_at, created_at, updated_at) VALUES (?, ?, 'My resource', ?, ?, ?)`
            )
            .run(source.categoryId, memberId, now, now, now).lastInsertRowid
        );
        const id = Number(
          db
            .prepare(
              `INSERT INTO resources (kind, type, title, author_id, category_id, thread_id, created_at, updated_at)
               VALUES ('file', 'protocol', 'My own matrix resource', ?, ?, ?, ?, ?)`
            )
            .run(memberId, source.categoryId, threadId, now, now).lastInsertRowid
        );
        const version = db.prepare('SELECT * FROM resource_versions WHERE id = ?').get(source.versionId) as Record<
          string,
          unknown
        >;
        const versionId = Number(
          db
            .prepare(
              `INSERT INTO resource_versions (resource_id, number, sha256, size, mime_type, type_label, file_name, uploaded_by, created_at, extraction_state)
               VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, 'none')`
            )
            .run(id, version.sha256, version.size, version.mime_type, version.type_label, version.file_name, memberId, now)
            .lastInsertRowid
        );
        db.prepare('UPDATE resources SET current_version_id = ? WHERE id = ?').run(versionId, id);
        db.prepare(
          `INSERT INTO resource_search (rowid, title, description, tags, content) VALUES (?, 'My own matrix resource', '', '', '')`
        ).run(id);
        return id;
      })();
    }
  };
}
