import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { fileStore, sweepFileStore } from '../../server/modules/resources/upload.ts';
import { call } from '../support/app.ts';
import { createMember, sessionCookie } from '../support/factories.ts';
import { jpegImage, pngImage, setProfile, uploadImage } from '../support/directory.ts';
import { imagesWithGps } from '../support/hostileFiles.ts';
import { pdfWith, pngClaiming } from '../support/fileFixtures.ts';
import { makeResourceApp, storeContents } from '../support/resources.ts';

let t: Awaited<ReturnType<typeof makeResourceApp>>;
beforeEach(async () => {
  t = await makeResourceApp({ IMAGE_MAX_MB: '1', IMAGE_UPLOADS_PER_HOUR: '1000' });
});
afterEach(async () => {
  await t.close();
});

const imageRows = () => t.db.$client.prepare('SELECT * FROM images ORDER BY id').all() as { id: number; sha256: string }[];

/** A picture of random noise: it does not compress, so its size is about width × height × 3 bytes. */
function noise(width: number, height: number) {
  const raw = randomBytes(width * height * 3);
  return sharp(raw, { raw: { width, height, channels: 3 } });
}

describe('uploading a picture', () => {
  it('re-encodes a profile photo to a 512 × 512 square and a spotlight picture to at most 2048 px', async () => {
    const editor = await createMember(t, { role: 'editor' });
    const cookie = sessionCookie(t, editor.id);
    const profile = await uploadImage(t, cookie, 'profile', { name: 'me.png', content: await pngImage(800, 600) });
    expect(profile.statusCode).toBe(201);
    const image = profile.json().image;
    expect(image).toEqual({ id: expect.any(Number), url: `/api/images/${image.id}`, width: 512, height: 512 });

    const wide = await sharp({ create: { width: 3000, height: 1000, channels: 3, background: '#123456' } })
      .jpeg()
      .toBuffer();
    const spotlight = await uploadImage(t, cookie, 'spotlight', { name: 'wide.jpg', content: wide });
    expect(spotlight.statusCode).toBe(201);
    expect(spotlight.json().image).toMatchObject({ width: 2048, height: 683 });
    const small = await uploadImage(t, cookie, 'spotlight', { name: 'small.jpg', content: await jpegImage(40, 30) });
    expect(small.json().image).toMatchObject({ width: 40, height: 30 });

    const served = await call(t.app, 'GET', spotlight.json().image.url, { cookie });
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/jpeg');
    const meta = await sharp(served.rawPayload).metadata();
    expect([meta.width, meta.height]).toEqual([2048, 683]);
  });

  it('strips EXIF (GPS, camera, artist) from JPEG, PNG and WebP, keeping the format', async () => {
    const member = await createMember(t);
    const cookie = sessionCookie(t, member.id);
    for (const file of await imagesWithGps()) {
      expect((await sharp(file.content).metadata()).exif, `${file.name} fixture has EXIF`).toBeDefined();
      const res = await uploadImage(t, cookie, 'profile', { name: file.name, content: file.content });
      expect(res.statusCode, file.name).toBe(201);
      const served = await call(t.app, 'GET', res.json().image.url, { cookie });
      expect(served.headers['content-type']).toBe(file.mimeType);
      const meta = await sharp(served.rawPayload).metadata();
      expect(meta.exif, file.name).toBeUndefined();
      expect(meta.xmp, file.name).toBeUndefined();
      expect(served.rawPayload.includes(Buffer.from('Victim name here')), file.name).toBe(false);
      expect(served.rawPayload.includes(Buffer.from('Field camera')), file.name).toBe(false);
    }
  });

  it('turns a photo upright from its EXIF orientation', async () => {
    const editor = await createMember(t, { role: 'editor' });
    // 60 × 20 as stored, orientation 6 (turn 90° clockwise to view): upright it is 20 × 60.
    const rotated = await sharp({ create: { width: 60, height: 20, channels: 3, background: '#abcdef' } })
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const res = await uploadImage(t, sessionCookie(t, editor.id), 'spotlight', { name: 'r.jpg', content: rotated });
    expect(res.statusCode).toBe(201);
    expect(res.json().image).toMatchObject({ width: 20, height: 60 });
  });

  it('refuses what is not a PNG, JPEG or WebP, naming what it is, and keeps nothing', async () => {
    const member = await createMember(t);
    const cookie = sessionCookie(t, member.id);
    const before = await storeContents(t);
    const truncated = (await noise(300, 300).jpeg().toBuffer()).subarray(0, 4000);
    const cases: { name: string; content: Buffer; status: number; says: RegExp }[] = [
      {
        name: 'logo.svg',
        content: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        status: 415,
        says: /SVG/
      },
      {
        name: 'photo.png',
        content: Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>'),
        status: 415,
        says: /HTML/
      },
      { name: 'scan.jpg', content: pdfWith('hello'), status: 415, says: /PDF/ },
      {
        name: 'anim.gif',
        content: Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64'),
        status: 415,
        says: /GIF/
      },
      { name: 'cut.jpg', content: truncated, status: 400, says: /could not be read/ },
      { name: 'bomb.png', content: pngClaiming(100_000, 100_000), status: 400, says: /could not be read/ },
      { name: 'empty.png', content: Buffer.alloc(0), status: 400, says: /empty/ }
    ];
    for (const c of cases) {
      const res = await uploadImage(t, cookie, 'profile', { name: c.name, content: c.content });
      expect(res.statusCode, c.name).toBe(c.status);
      expect(res.json().error.message, c.name).toMatch(c.says);
    }
    const big = await noise(700, 700).png().toBuffer();
    expect(big.length).toBeGreaterThan(1024 * 1024);
    const tooLarge = await uploadImage(t, cookie, 'profile', { name: 'big.png', content: big });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json().error.code).toBe('too_large');

    expect(imageRows()).toEqual([]);
    expect(await storeContents(t)).toEqual(before);
  });

  it('refuses a request without a picture, with another field, or without a purpose', async () => {
    const member = await createMember(t);
    const cookie = sessionCookie(t, member.id);
    const png = await pngImage();
    expect((await uploadImage(t, cookie, 'profile', null)).statusCode).toBe(400);
    expect((await uploadImage(t, cookie, 'profile', { name: 'a.png', content: png, field: 'photo' })).statusCode).toBe(400);
    expect((await uploadImage(t, cookie, 'banner', { name: 'a.png', content: png })).statusCode).toBe(400);
    const json = await call(t.app, 'POST', '/api/images?purpose=profile', { cookie, body: {} });
    expect(json.statusCode).toBe(415);
    expect(imageRows()).toEqual([]);
  });

  it('lets only editors and admins upload spotlight pictures', async () => {
    for (const role of ['member', 'coordinator', 'moderator'] as const) {
      const m = await createMember(t, { role });
      const res = await uploadImage(t, sessionCookie(t, m.id), 'spotlight', { name: 'a.png', content: await pngImage() });
      expect(res.statusCode, role).toBe(403);
    }
    const admin = await createMember(t, { role: 'admin' });
    expect(
      (await uploadImage(t, sessionCookie(t, admin.id), 'spotlight', { name: 'a.png', content: await pngImage() })).statusCode
    ).toBe(201);
  });

  it('limits uploads per member per hour', async () => {
    await t.close();
    t = await makeResourceApp({ IMAGE_UPLOADS_PER_HOUR: '2' });
    const member = await createMember(t);
    const cookie = sessionCookie(t, member.id);
    const png = await pngImage();
    expect((await uploadImage(t, cookie, 'profile', { name: 'a.png', content: png })).statusCode).toBe(201);
    expect((await uploadImage(t, cookie, 'profile', { name: 'a.png', content: png })).statusCode).toBe(201);
    const third = await uploadImage(t, cookie, 'profile', { name: 'a.png', content: png });
    expect(third.statusCode).toBe(429);
    expect(third.headers['retry-after']).toBeDefined();
    const other = await createMember(t);
    expect((await uploadImage(t, sessionCookie(t, other.id), 'profile', { name: 'a.png', content: png })).statusCode).toBe(201);
  });
});

describe('serving a picture', () => {
  it('sends the bytes with a content hash ETag, 304 on revalidation, and headers that stop rendering tricks', async () => {
    const member = await createMember(t);
    const cookie = sessionCookie(t, member.id);
    const up = await uploadImage(t, cookie, 'profile', { name: 'me.png', content: await pngImage() });
    const url = up.json().image.url as string;
    const res = await call(t.app, 'GET', url, { cookie });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['cache-control']).toBe('private, no-cache');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe('sandbox');
    const etag = res.headers.etag as string;
    expect(etag).toBe(`"${imageRows()[0]!.sha256}"`);
    const again = await call(t.app, 'GET', url, { cookie, headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('shows a profile photo to its uploader, and to others only as the owner’s current photo within its visibility', async () => {
    const owner = await createMember(t);
    const peer = await createMember(t);
    const admin = await createMember(t, { role: 'admin' });
    const ownerCookie = sessionCookie(t, owner.id);
    const up = await uploadImage(t, ownerCookie, 'profile', { name: 'me.png', content: await pngImage() });
    const url = up.json().image.url as string;
    const status = async (id: number) => (await call(t.app, 'GET', url, { cookie: sessionCookie(t, id) })).statusCode;

    expect(await status(owner.id)).toBe(200);
    expect(await status(peer.id)).toBe(404);
    expect(await status(admin.id)).toBe(404);

    await call(t.app, 'PUT', '/api/profile', { cookie: ownerCookie, body: { photoImageId: up.json().image.id } });
    expect(await status(peer.id)).toBe(200);

    await call(t.app, 'PUT', '/api/profile', { cookie: ownerCookie, body: { visibility: { photo: 'staff' } } });
    expect(await status(peer.id)).toBe(404);
    expect(await status(admin.id)).toBe(200);

    // A newer photo replaces it: the old one is nobody's current photo.
    await call(t.app, 'PUT', '/api/profile', { cookie: ownerCookie, body: { visibility: { photo: 'members' } } });
    const newer = await uploadImage(t, ownerCookie, 'profile', { name: 'new.png', content: await pngImage(50, 50) });
    await call(t.app, 'PUT', '/api/profile', { cookie: ownerCookie, body: { photoImageId: newer.json().image.id } });
    expect(await status(peer.id)).toBe(404);
    expect(await status(owner.id)).toBe(200);

    // A suspended member's photo goes with their profile.
    const newerUrl = newer.json().image.url as string;
    expect((await call(t.app, 'GET', newerUrl, { cookie: sessionCookie(t, peer.id) })).statusCode).toBe(200);
    t.db.$client.prepare("UPDATE members SET status = 'suspended' WHERE id = ?").run(owner.id);
    expect((await call(t.app, 'GET', newerUrl, { cookie: sessionCookie(t, peer.id) })).statusCode).toBe(404);
    expect((await call(t.app, 'GET', newerUrl, { cookie: sessionCookie(t, admin.id) })).statusCode).toBe(200);

    expect((await call(t.app, 'GET', '/api/images/999999', { cookie: sessionCookie(t, peer.id) })).statusCode).toBe(404);
  });

  it('shows spotlight pictures to every active member, and nothing to the signed out', async () => {
    const editor = await createMember(t, { role: 'editor' });
    const member = await createMember(t);
    const up = await uploadImage(t, sessionCookie(t, editor.id), 'spotlight', { name: 'a.png', content: await pngImage() });
    const url = up.json().image.url as string;
    expect((await call(t.app, 'GET', url, { cookie: sessionCookie(t, member.id) })).statusCode).toBe(200);
    expect((await call(t.app, 'GET', url)).statusCode).toBe(401);
    const pending = await createMember(t, { status: 'pending', noticeAccepted: false });
    expect((await call(t.app, 'GET', url, { cookie: sessionCookie(t, pending.id) })).statusCode).toBe(403);
  });
});

describe('the file store keeps pictures', () => {
  it('counts image files as named: the sweep removes orphans but not pictures', async () => {
    const member = await createMember(t);
    const cookie = sessionCookie(t, member.id);
    const up = await uploadImage(t, cookie, 'profile', { name: 'me.png', content: await pngImage() });
    setProfile(t, member.id, { photoImageId: up.json().image.id });
    // A stored file no row names (a crash between commit and transaction).
    const stray = await fileStore(t.deps).put(Readable.from([Buffer.from('left over by a crash')]));
    const report = await sweepFileStore(t.deps, -60_000);
    expect(report.orphans).toBe(1);
    const { keys } = await storeContents(t);
    expect(keys).toEqual([imageRows()[0]!.sha256]);
    expect(keys).not.toContain(stray.sha256);
    expect((await call(t.app, 'GET', up.json().image.url, { cookie })).statusCode).toBe(200);
  });
});
