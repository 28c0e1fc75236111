/**
 * File names as members see them. Storage never uses a name (files are stored by content hash);
 * the name only labels the download, so it is made harmless: no path, no control or bidi
 * characters (U+202E can make "gpj.exe" read as "exe.jpg"), no characters Windows refuses, at most
 * 120 characters, and an extension that matches what the file really is.
 */

export const NAME_MAX = 120;

// C0 and C1 controls, DEL, bidi embeddings/overrides/isolates and marks, zero-width characters, BOM.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\u061c\ufeff]/g;
const WINDOWS_RESERVED = /[<>:"|?*]/g;
const RESERVED_BASENAMES = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

function splitExtension(name: string): { base: string; ext: string } {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || name.length - dot > 11) return { base: name, ext: '' };
  return { base: name.slice(0, dot), ext: name.slice(dot + 1) };
}

/**
 * The display name for an upload. `extensions` are the ones that fit the detected type (first =
 * canonical): a name whose extension is not among them gets the canonical one instead, so a PNG
 * sent as "page.html" is offered back as "page.png".
 */
export function displayName(raw: string, extensions: readonly string[]): string {
  let name = raw.normalize('NFC');
  name = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  name = name
    .replace(INVISIBLE, '')
    .replace(WINDOWS_RESERVED, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  let { base, ext } = splitExtension(name);
  if (extensions.length > 0 && !extensions.includes(ext.toLowerCase())) {
    ext = extensions[0]!;
  }
  base = base.replace(/[.\s]+$/, '');
  if (!base || RESERVED_BASENAMES.test(base)) base = base ? `${base}_file` : 'file';
  const suffix = ext ? `.${ext}` : '';
  const room = NAME_MAX - suffix.length;
  // Cut by code points so a surrogate pair is never split.
  const chars = [...base];
  if (chars.length > room) base = chars.slice(0, room).join('').trimEnd();
  return `${base}${suffix}`;
}

/** RFC 6266 / RFC 8187: an ASCII fallback for old clients and the exact name in UTF-8. */
export function contentDisposition(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
