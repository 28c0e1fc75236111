import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { call, ORIGIN } from '../support/app.ts';
import { signedMember } from '../support/discussions.ts';
import { sessionCookie } from '../support/factories.ts';
import { multipartBody, pdfWith } from '../support/fileFixtures.ts';
import { hostileFiles, imagesWithGps } from '../support/hostileFiles.ts';
import { makeResourceApp, namedKeys, storeContents, uploadFile } from '../support/resources.ts';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileStore, sweepFileStore } from '../../server/modules/resources/upload.ts';

let t: Awaited<ReturnType<typeof makeResourceApp>>;
afterEach(async () => {
  await t?.close();
});

/** The store holds exactly the files rows name, and nothing is left in the temp folder. */
async function expectCleanStore() {
  const { keys, temp } = await storeContents(t);
  expect(temp).toEqual([]);
  expect(keys).toEqual(namedKeys(t));
}

describe('the hostile-file set', () => {
  it('refuses or neutralises every one, with the right status, and leaves only named files on disk', async () => {
    t = await makeResourceApp();
    const member = await signedMember(t);
    const files = await hostileFiles();
    expect(files.length).toBeGreaterThanOrEqual(50);
    const wrong: string[] = [];
    for (const file of files) {
      const res = await uploadFile(t, member.cookie, { name: file.name, content: file.content });
      const body = res.json();
      const e = file.expect;
      const problem =
        res.statusCode !== e.status
          ? `status ${res.statusCode} ${res.body.slice(0, 200)}`
          : e.status === 415
            ? e.detected.test(body.error.message) && body.error.code === 'unsupported_type'
              ? null
              : `message "${body.error.message}"`
            : e.status === 413
              ? /at most 1 MB/.test(body.error.message) && body.error.code === 'too_large'
                ? null
                : `message "${body.error.message}"`
              : e.status === 400
                ? e.message.test(body.error.message)
                  ? null
                  : `message "${body.error.message}"`
                : await acceptedProblem(body.id, e.mimeType, e.fileName, member.cookie);
      if (problem) wrong.push(`${file.label}: ${problem}`);
      await expectCleanStore();
    }
    expect(wrong).toEqual([]);
  }, 60_000);

  async function acceptedProblem(
    id: number,
    mimeType: string,
    fileName: string | RegExp,
    cookie: string
  ): Promise<string | null> {
    const page = (await call(t.app, 'GET', `/api/resources/${id}`, { cookie })).json();
    const download = await call(t.app, 'GET', `/api/resources/${id}/download`, { cookie });
    if (page.file.mimeType !== mimeType) return `stored as ${page.file.mimeType}`;
    const nameOk = typeof fileName === 'string' ? page.file.fileName === fileName : fileName.test(page.file.fileName);
    if (!nameOk) return `named ${JSON.stringify(page.file.fileName)}`;
    if (!/^attachment;/.test(String(download.headers['content-disposition']))) return 'not an attachment';
    if (download.headers['content-type'] !== mimeType) return `served as ${download.headers['content-type']}`;
    return null;
  }

  it('re-encodes images and drops their EXIF (GPS, camera, artist)', async () => {
    t = await makeResourceApp();
    const member = await signedMember(t);
    for (const image of await imagesWithGps()) {
      expect((await sharp(image.content).metadata()).exif, `${image.name} has EXIF to begin with`).toBeDefined();
      const res = await uploadFile(t, member.cookie, { name: image.name, content: image.content });
      expect(res.statusCode, res.body).toBe(201);
      const download = await call(t.app, 'GET', `/api/resources/${res.json().id}/download`, { cookie: member.cookie });
      expect(download.headers['content-type']).toBe(image.mimeType);
      const stored = download.rawPayload;
      const meta = await sharp(stored).metadata();
      expect(meta.exif, image.name).toBeUndefined();
      expect(meta.xmp, image.name).toBeUndefined();
      expect(stored.includes(Buffer.from('Victim name here')), image.name).toBe(false);
      expect(stored.includes(Buffer.from('Field camera')), image.name).toBe(false);
      expect([meta.width, meta.height]).toEqual([16, 12]);
    }
    await expectCleanStore();
  });

  it('refuses a multipart body that ends early, and one with two files or a file in another field', async () => {
    t = await makeResourceApp();
    const member = await signedMember(t);
    const body = multipartBody({ title: 'Cut short', type: 'other' }, [{ name: 'a.pdf', content: pdfWith('cut') }]);
    const truncated = body.payload.subarray(0, body.payload.length - 200);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/resources/files',
      headers: { cookie: member.cookie, origin: ORIGIN, 'content-type': body.contentType },
      payload: truncated
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/interrupted|not a valid multipart/);
    await expectCleanStore();

    const two = await uploadFile(t, member.cookie, [
      { name: 'a.pdf', content: pdfWith('one') },
      { name: 'b.pdf', content: pdfWith('two') }
    ]);
    expect(two.statusCode).toBe(400);
    expect(two.json().error.message).toMatch(/one file/);
    const otherField = await uploadFile(t, member.cookie, { name: 'a.pdf', content: pdfWith('x'), field: 'attachment' });
    expect(otherField.statusCode).toBe(400);
    expect(otherField.json().error.message).toMatch(/field named “file”/);
    const none = await uploadFile(t, member.cookie, null);
    expect(none.statusCode).toBe(400);
    expect(none.json().error.fields.file).toBeDefined();
    const json = await call(t.app, 'POST', '/api/resources/files', { cookie: member.cookie, body: {} });
    expect(json.statusCode).toBe(415);
    expect(json.json().error.message).toMatch(/multipart\/form-data/);
    expect(await count('resources')).toBe(0);
    await expectCleanStore();
  });

  it('a real upload cut off mid-body leaves no file, no temp file and no row', async () => {
    t = await makeResourceApp();
    const member = await signedMember(t);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const body = multipartBody({ title: 'Never arrives', type: 'other' }, [
      { name: 'big.pdf', content: Buffer.alloc(600_000, 0x25) }
    ]);
    await new Promise<void>((resolve) => {
      const req = http.request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/resources/files',
        headers: {
          cookie: member.cookie,
          origin: ORIGIN,
          'content-type': body.contentType,
          'content-length': String(body.payload.length)
        }
      });
      req.on('error', () => resolve());
      req.on('response', () => resolve());
      req.write(body.payload.subarray(0, 300_000), () => {
        // Let the server start streaming to its temp file, then cut the connection.
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 150);
      });
    });
    const deadline = Date.now() + 5000;
    while ((await storeContents(t)).temp.length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await expectCleanStore();
    expect(await count('resources')).toBe(0);
  });

  it('stores identical content once, and keeps it while any version names it', async () => {
    t = await makeResourceApp();
    const member = await signedMember(t);
    const content = pdfWith('same bytes');
    const first = await uploadFile(t, member.cookie, { name: 'a.pdf', content });
    const second = await uploadFile(t, member.cookie, { name: 'b.pdf', content });
    expect([first.statusCode, second.statusCode]).toEqual([201, 201]);
    const { keys } = await storeContents(t);
    expect(keys).toHaveLength(1);
    expect(fileStore(t.deps).pathOf(keys[0]!)).toMatch(
      new RegExp(`/files/${keys[0]!.slice(0, 2)}/${keys[0]!.slice(2, 4)}/${keys[0]}$`)
    );
    await expectCleanStore();
  });

  it('a failed transaction deletes the file it had just stored', async () => {
    t = await makeResourceApp();
    const member = await signedMember(t);
    // A row that makes the version insert fail (versions are numbered per resource, uniquely).
    t.db.$client.exec(
      `CREATE TRIGGER fail_versions BEFORE INSERT ON resource_versions BEGIN SELECT RAISE(ABORT, 'disk full'); END`
    );
    const res = await uploadFile(t, member.cookie, { name: 'a.pdf', content: pdfWith('never stored') });
    expect(res.statusCode).toBe(500);
    expect(await count('resources')).toBe(0);
    await expectCleanStore();
    expect((await storeContents(t)).keys).toEqual([]);
  });

  it('a sweep removes what a crash left behind: stale temp files and stored files no row names', async () => {
    t = await makeResourceApp();
    const member = await signedMember(t);
    expect((await uploadFile(t, member.cookie, { name: 'kept.pdf', content: pdfWith('kept') })).statusCode).toBe(201);
    const store = fileStore(t.deps);
    const orphan = await store.put(Readable.from([Buffer.from('no row names me')]));
    const fresh = await store.put(Readable.from([Buffer.from('committed a moment ago')]));
    await mkdir(store.tmpDir, { recursive: true });
    const staleTemp = path.join(store.tmpDir, 'crashed.part');
    await writeFile(staleTemp, 'half an upload');
    const hourAgo = new Date(Date.now() - 2 * 3_600_000);
    await utimes(staleTemp, hourAgo, hourAgo);
    await utimes(store.pathOf(orphan.key), hourAgo, hourAgo);
    const kept = namedKeys(t)[0]!;
    await utimes(store.pathOf(kept), hourAgo, hourAgo);
    expect(await sweepFileStore(t.deps)).toEqual({ temp: 1, orphans: 1 });
    const { keys, temp } = await storeContents(t);
    expect(temp).toEqual([]);
    expect(keys.sort()).toEqual([kept, fresh.key].sort());
  });

  it('limits uploads per member per hour (429 with Retry-After), counting refused ones too', async () => {
    t = await makeResourceApp({ UPLOADS_PER_HOUR: '3' });
    const member = await signedMember(t);
    for (let i = 0; i < 3; i++) {
      const res = await uploadFile(t, member.cookie, { name: 'x.txt', content: Buffer.from(i === 1 ? '<html>' : `note ${i}`) });
      expect(res.statusCode).toBeLessThan(429);
    }
    const limited = await uploadFile(t, member.cookie, { name: 'x.txt', content: Buffer.from('one more') });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json().error.message).toMatch(/3 files in the last hour/);
    const other = await signedMember(t);
    expect((await uploadFile(t, other.cookie, { name: 'x.txt', content: Buffer.from('mine') })).statusCode).toBe(201);
    t.clock.advance(3_600_000);
    const later = sessionCookie(t, member.id);
    expect((await uploadFile(t, later, { name: 'x.txt', content: Buffer.from('later') })).statusCode).toBe(201);
  });
});

describe('downloads', () => {
  async function shared() {
    t = await makeResourceApp();
    const author = await signedMember(t);
    const reader = await signedMember(t);
    const content = pdfWith('download me please');
    const res = await uploadFile(t, author.cookie, { name: 'Protocole d’entretien – été.pdf', content });
    expect(res.statusCode, res.body).toBe(201);
    return { author, reader, content, id: res.json().id as number, versionId: res.json().versionId as number };
  }
  const audits = () =>
    t.db.$client
      .prepare(
        `SELECT actor_id AS actorId, target_id AS targetId, detail FROM audit_log WHERE action = 'resource.downloaded' ORDER BY id`
      )
      .all() as { actorId: number; targetId: string; detail: string }[];
  const downloads = (id: number) =>
    (t.db.$client.prepare('SELECT download_count AS n FROM resources WHERE id = ?').get(id) as { n: number }).n;

  it('serves the bytes as an inert attachment with a safe RFC 6266 name, counted and audited', async () => {
    const { reader, content, id, versionId } = await shared();
    const res = await call(t.app, 'GET', `/api/resources/${id}/download`, { cookie: reader.cookie });
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(content)).toBe(true);
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="Protocole d_entretien _ ete.pdf"; filename*=UTF-8''Protocole%20d%E2%80%99entretien%20%E2%80%93%20%C3%A9t%C3%A9.pdf`
    );
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe('sandbox');
    expect(res.headers['accept-ranges']).toBe('bytes');
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(Number(res.headers['content-length'])).toBe(content.length);
    const sha = (await call(t.app, 'GET', `/api/resources/${id}`, { cookie: reader.cookie })).json().file.sha256;
    expect(res.headers.etag).toBe(`"${sha}"`);
    expect(downloads(id)).toBe(1);
    const rows = audits();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.actorId).toBe(reader.id);
    expect(rows[0]!.targetId).toBe(String(id));
    expect(JSON.parse(rows[0]!.detail)).toMatchObject({ versionId, number: 1 });
  });

  it('answers ranges (206, 416), revalidations (304) and HEAD, counting a download once', async () => {
    const { reader, content, id } = await shared();
    const url = `/api/resources/${id}/download`;
    const first = await call(t.app, 'GET', url, { cookie: reader.cookie, headers: { range: 'bytes=0-99' } });
    expect(first.statusCode).toBe(206);
    expect(first.headers['content-range']).toBe(`bytes 0-99/${content.length}`);
    expect(first.rawPayload.equals(content.subarray(0, 100))).toBe(true);
    const rest = await call(t.app, 'GET', url, { cookie: reader.cookie, headers: { range: 'bytes=100-' } });
    expect(rest.statusCode).toBe(206);
    expect(rest.rawPayload.equals(content.subarray(100))).toBe(true);
    const suffix = await call(t.app, 'GET', url, { cookie: reader.cookie, headers: { range: 'bytes=-10' } });
    expect(suffix.rawPayload.equals(content.subarray(content.length - 10))).toBe(true);
    const beyond = await call(t.app, 'GET', url, { cookie: reader.cookie, headers: { range: `bytes=${content.length}-` } });
    expect(beyond.statusCode).toBe(416);
    expect(beyond.headers['content-range']).toBe(`bytes */${content.length}`);
    const junk = await call(t.app, 'GET', url, { cookie: reader.cookie, headers: { range: 'bytes=abc' } });
    expect(junk.statusCode).toBe(200);
    const etag = String(first.headers.etag);
    const cached = await call(t.app, 'GET', url, { cookie: reader.cookie, headers: { 'if-none-match': etag } });
    expect(cached.statusCode).toBe(304);
    expect(cached.rawPayload.length).toBe(0);
    const stale = await call(t.app, 'GET', url, { cookie: reader.cookie, headers: { 'if-none-match': '"other"' } });
    expect(stale.statusCode).toBe(200);
    const head = await t.app.inject({ method: 'HEAD', url, headers: { cookie: reader.cookie } });
    expect(head.statusCode).toBe(200);
    // Counted: the 0-99 range, the junk range (a full reply), the stale revalidation. Not: later ranges, 416, 304, HEAD.
    expect(downloads(id)).toBe(3);
    expect(audits()).toHaveLength(3);
  });

  it('keeps old versions for the author and moderators; readers get the current one', async () => {
    const { author, reader, id, versionId: first } = await shared();
    const moderator = await signedMember(t, { role: 'moderator' });
    const v2 = await uploadFile(
      t,
      author.cookie,
      { name: 'v2.pdf', content: pdfWith('second edition') },
      {},
      `/api/resources/${id}/versions`
    );
    expect(v2.statusCode, v2.body).toBe(201);
    expect(v2.json().number).toBe(2);
    const asReader = (await call(t.app, 'GET', `/api/resources/${id}`, { cookie: reader.cookie })).json();
    expect(
      asReader.versions.map((v: { number: number; current: boolean; downloadable: boolean }) => [
        v.number,
        v.current,
        v.downloadable
      ])
    ).toEqual([
      [2, true, true],
      [1, false, false]
    ]);
    expect(asReader.versions[1].uploadedBy.id).toBe(author.id);
    expect(asReader.file.fileName).toBe('v2.pdf');
    const old = `/api/resources/versions/${first}/download`;
    expect((await call(t.app, 'GET', old, { cookie: reader.cookie })).statusCode).toBe(404);
    expect((await call(t.app, 'GET', old, { cookie: author.cookie })).statusCode).toBe(200);
    expect((await call(t.app, 'GET', old, { cookie: moderator.cookie })).statusCode).toBe(200);
    const current = `/api/resources/versions/${v2.json().versionId}/download`;
    const byReader = await call(t.app, 'GET', current, { cookie: reader.cookie });
    expect(byReader.statusCode).toBe(200);
    expect(byReader.rawPayload.includes(Buffer.from('second edition'))).toBe(true);
    // Only the author and moderators add versions.
    const refused = await uploadFile(
      t,
      reader.cookie,
      { name: 'mine.pdf', content: pdfWith('not yours') },
      {},
      `/api/resources/${id}/versions`
    );
    expect(refused.statusCode).toBe(403);
    const byModerator = await uploadFile(
      t,
      moderator.cookie,
      { name: 'v3.pdf', content: pdfWith('third') },
      {},
      `/api/resources/${id}/versions`
    );
    expect(byModerator.statusCode).toBe(201);
    await expectCleanStore();
  });

  it('a link resource has nothing to download and takes no versions', async () => {
    t = await makeResourceApp();
    const author = await signedMember(t);
    const link = await call(t.app, 'POST', '/api/resources', {
      cookie: author.cookie,
      body: { title: 'Hotline toolkit', type: 'toolkit', url: 'https://example.org/hotline' }
    });
    const id = link.json().id;
    const dl = await call(t.app, 'GET', `/api/resources/${id}/download`, { cookie: author.cookie });
    expect(dl.statusCode).toBe(404);
    expect(dl.json().error.message).toMatch(/link/);
    const version = await uploadFile(
      t,
      author.cookie,
      { name: 'a.pdf', content: pdfWith('x') },
      {},
      `/api/resources/${id}/versions`
    );
    expect(version.statusCode).toBe(400);
    await expectCleanStore();
  });
});

async function count(table: string): Promise<number> {
  return (t.db.$client.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}
