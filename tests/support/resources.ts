import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileStore } from '../../server/modules/resources/upload.ts';
import { ORIGIN, makeApp, type TestApp } from './app.ts';
import { multipartBody, type FilePart } from './fileFixtures.ts';

/** An app with its own DATA_DIR (files land there) and a 1 MB upload limit, for the resource tests. */
export async function makeResourceApp(env: Record<string, string> = {}): Promise<TestApp & { dataDir: string }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tfc-resources-'));
  const t = await makeApp({ env: { DATA_DIR: dataDir, UPLOAD_MAX_MB: '1', UPLOADS_PER_HOUR: '1000', ...env } });
  return {
    ...t,
    dataDir,
    async close() {
      await t.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
}

export const SHARE_FIELDS = { title: 'Victim interview protocol', description: 'How we run interviews.', type: 'protocol' };

/** POST /api/resources/files as a browser form would. */
export function uploadFile(
  t: TestApp,
  cookie: string,
  file: FilePart | FilePart[] | null,
  fields: Record<string, string | string[]> = SHARE_FIELDS,
  url = '/api/resources/files'
) {
  const body = multipartBody(fields, file === null ? [] : [file].flat());
  return t.app.inject({
    method: 'POST',
    url,
    headers: { cookie, origin: ORIGIN, 'content-type': body.contentType },
    payload: body.payload
  });
}

/** What is on disk: stored content keys and temp files. */
export async function storeContents(t: TestApp) {
  const store = fileStore(t.deps);
  return { keys: (await store.keys()).sort(), temp: await store.tempFiles() };
}

/** Every hash a version row names. */
export function namedKeys(t: TestApp): string[] {
  return (
    t.db.$client.prepare('SELECT DISTINCT sha256 FROM resource_versions ORDER BY sha256').all() as { sha256: string }[]
  ).map((r) => r.sha256);
}
