import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { fileTypeFromFile } from 'file-type';
import { AppError, Invalid } from '../../shared/errors.ts';
import { legacyOfficeKind } from './cfb.ts';

/**
 * What an upload really is, judged by its content, never by its name or the browser's word for it.
 *
 * Allowed: PDF; Word, Excel and PowerPoint (OOXML and the legacy 97–2003 formats); OpenDocument text,
 * spreadsheets and presentations; plain text and CSV; PNG, JPEG and WebP images (re-encoded, so
 * their metadata is dropped); MP4 video.
 * Refused: everything else, by decision archives too (ZIP, RAR, 7z, gzip… — their contents cannot be
 * vouched for), HTML, SVG and other XML, executables and installers, and scripts.
 *
 * Rules for the judgement calls:
 * - PDF/HTML polyglots: a PDF whose first 1 KB holds an HTML-ish tag (<html, <script, <body,
 *   <svg, <iframe, <!doctype, <object, <embed, <meta) is refused. (Browsers sniff HTML in the first
 *   bytes; a real PDF has no reason to carry those tags before its first object.)
 * - Text: accepted only when it is valid UTF-8 with no NUL or other control characters (tabs, line
 *   breaks and form feeds are fine), and no HTML-ish tag or XML declaration appears in its first
 *   64 KB. A text file that starts with "#!" is a script, and so is one whose name ends in a script
 *   extension (.js, .sh, .ps1, .bat…): the name can only make a refusal, never an acceptance.
 *   Other text (say JavaScript named notes.txt) is stored and served as text/plain, as an
 *   attachment, with nosniff and a sandbox CSP: it cannot run.
 */

export type ExtractKind = 'pdf' | 'office' | 'text';

export interface FileKind {
  mimeType: string;
  typeLabel: string;
  /** The extensions that fit (first = the one a name gets when its own does not fit). */
  extensions: readonly string[];
  /** Re-encode with sharp before storing. */
  image?: 'png' | 'jpeg' | 'webp';
  /** How to read its text for search (none: nothing to read). */
  extract?: ExtractKind;
}

const OOXML = 'application/vnd.openxmlformats-officedocument';
const ODF = 'application/vnd.oasis.opendocument';

const ALLOWED: Record<string, FileKind> = {
  pdf: { mimeType: 'application/pdf', typeLabel: 'PDF', extensions: ['pdf'], extract: 'pdf' },
  docx: {
    mimeType: `${OOXML}.wordprocessingml.document`,
    typeLabel: 'Word document',
    extensions: ['docx', 'docm'],
    extract: 'office'
  },
  xlsx: {
    mimeType: `${OOXML}.spreadsheetml.sheet`,
    typeLabel: 'Excel spreadsheet',
    extensions: ['xlsx', 'xlsm'],
    extract: 'office'
  },
  pptx: {
    mimeType: `${OOXML}.presentationml.presentation`,
    typeLabel: 'PowerPoint presentation',
    extensions: ['pptx', 'pptm'],
    extract: 'office'
  },
  odt: { mimeType: `${ODF}.text`, typeLabel: 'OpenDocument text', extensions: ['odt'], extract: 'office' },
  ods: { mimeType: `${ODF}.spreadsheet`, typeLabel: 'OpenDocument spreadsheet', extensions: ['ods'], extract: 'office' },
  odp: { mimeType: `${ODF}.presentation`, typeLabel: 'OpenDocument presentation', extensions: ['odp'], extract: 'office' },
  doc: { mimeType: 'application/msword', typeLabel: 'Word 97–2003 document', extensions: ['doc', 'dot'] },
  xls: { mimeType: 'application/vnd.ms-excel', typeLabel: 'Excel 97–2003 spreadsheet', extensions: ['xls', 'xlt'] },
  ppt: { mimeType: 'application/vnd.ms-powerpoint', typeLabel: 'PowerPoint 97–2003 presentation', extensions: ['ppt', 'pps'] },
  png: { mimeType: 'image/png', typeLabel: 'PNG image', extensions: ['png'], image: 'png' },
  jpg: { mimeType: 'image/jpeg', typeLabel: 'JPEG image', extensions: ['jpg', 'jpeg'], image: 'jpeg' },
  webp: { mimeType: 'image/webp', typeLabel: 'WebP image', extensions: ['webp'], image: 'webp' },
  mp4: { mimeType: 'video/mp4', typeLabel: 'MP4 video', extensions: ['mp4', 'm4v'] },
  text: { mimeType: 'text/plain; charset=utf-8', typeLabel: 'Text', extensions: ['txt', 'text', 'md', 'log'], extract: 'text' },
  csv: { mimeType: 'text/csv; charset=utf-8', typeLabel: 'CSV', extensions: ['csv'], extract: 'text' }
};

/** The words for what was detected, in refusals ("This file is a Windows executable."). */
const REFUSED: Record<string, string> = {
  zip: 'a ZIP archive',
  rar: 'a RAR archive',
  '7z': 'a 7-Zip archive',
  gz: 'a gzip archive',
  bz2: 'a bzip2 archive',
  xz: 'an XZ archive',
  zst: 'a Zstandard archive',
  tar: 'a TAR archive',
  cab: 'a Windows cabinet archive',
  lz: 'an lzip archive',
  lzh: 'an LZH archive',
  arj: 'an ARJ archive',
  Z: 'a compressed archive',
  jar: 'a Java archive',
  apk: 'an Android app',
  xpi: 'a browser extension',
  epub: 'an e-book archive (EPUB)',
  exe: 'a Windows executable',
  elf: 'a Linux executable',
  macho: 'a macOS executable',
  class: 'a Java class file',
  wasm: 'a WebAssembly program',
  swf: 'a Flash file',
  dmg: 'a macOS disk image',
  iso: 'a disk image',
  deb: 'a Linux package',
  rpm: 'a Linux package',
  msi: 'a Windows installer',
  cfb: 'a compound file that is not a Word, Excel or PowerPoint file (for example a Windows installer)',
  xml: 'an XML file',
  gif: 'a GIF image',
  svg: 'an SVG image',
  html: 'an HTML page',
  script: 'a script',
  ps: 'a PostScript file',
  rtf: 'an RTF document'
};

export const ALLOWED_SUMMARY = 'Allowed: PDF, Word, Excel, PowerPoint, OpenDocument, text, CSV, PNG, JPEG, WebP and MP4 files.';

export class UnsupportedType extends AppError {
  constructor(readonly detected: string) {
    super(415, 'unsupported_type', `This file is ${detected}, which cannot be shared here. ${ALLOWED_SUMMARY}`);
  }
}

const HTMLISH = /<(?:!doctype|html|head|body|script|svg|iframe|object|embed|meta|link|style|img|form|\?xml)[\s>/]/i;
/** In a PDF's first kilobyte: tags only an HTML (or SVG) document has. */
const PDF_POLYGLOT = /<(?:!doctype|html|body|script|svg|iframe|object|embed)[\s>/]/i;
const SCRIPT_EXTENSIONS = new Set([
  'js',
  'mjs',
  'cjs',
  'jse',
  'vbs',
  'vbe',
  'wsf',
  'wsh',
  'hta',
  'sh',
  'bash',
  'zsh',
  'ksh',
  'csh',
  'ps1',
  'psm1',
  'bat',
  'cmd',
  'py',
  'pl',
  'rb',
  'php',
  'lnk',
  'scr',
  'jar',
  'html',
  'htm',
  'xhtml',
  'shtml',
  'svg',
  'xml',
  'xsl'
]);

async function head(filePath: string, bytes: number): Promise<Buffer> {
  const handle = await open(filePath, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

// eslint-disable-next-line no-control-regex
const BAD_CONTROL = /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/;

/** Valid UTF-8 without NUL or control characters, read as a stream; returns the first 64 KB of text. */
async function readAsText(filePath: string): Promise<string | null> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let start = '';
  try {
    for await (const chunk of createReadStream(filePath, { highWaterMark: 64 * 1024 })) {
      const text = decoder.decode(chunk as Buffer, { stream: true });
      if (BAD_CONTROL.test(text)) return null;
      if (start.length < 65_536) start += text.slice(0, 65_536 - start.length);
    }
    const rest = decoder.decode();
    if (BAD_CONTROL.test(rest)) return null;
    return start;
  } catch {
    return null;
  }
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** Judge a staged upload. Throws UnsupportedType (415) naming what it is. */
export async function inspectFile(filePath: string, size: number, originalName: string): Promise<FileKind> {
  if (size === 0) throw new Invalid('The file is empty.', { file: 'This file has no content.' });
  const detected = await fileTypeFromFile(filePath);
  if (detected) {
    const ext = detected.ext as string;
    if (ext === 'pdf') {
      const first = (await head(filePath, 1024)).toString('latin1');
      if (PDF_POLYGLOT.test(first)) throw new UnsupportedType('a PDF that also contains HTML (a PDF/HTML polyglot)');
      return ALLOWED.pdf!;
    }
    if (ext === 'cfb') {
      const legacy = await legacyOfficeKind(filePath);
      if (legacy) return ALLOWED[legacy]!;
      throw new UnsupportedType(REFUSED.cfb!);
    }
    if (ext === 'xml') {
      const text = (await head(filePath, 4096)).toString('utf8');
      throw new UnsupportedType(/<svg[\s>]/i.test(text) ? REFUSED.svg! : /<html[\s>]/i.test(text) ? REFUSED.html! : REFUSED.xml!);
    }
    const allowed = ALLOWED[ext];
    if (allowed && ext !== 'text' && ext !== 'csv') return allowed;
    throw new UnsupportedType(REFUSED[ext] ?? `a ${ext.toUpperCase()} file`);
  }
  const text = await readAsText(filePath);
  if (text === null) throw new UnsupportedType('a file of an unknown type');
  if (/<svg[\s>]/i.test(text)) throw new UnsupportedType(REFUSED.svg!);
  if (HTMLISH.test(text)) throw new UnsupportedType(REFUSED.html!);
  const nameExt = extensionOf(originalName);
  if (text.replace(/^\ufeff/, '').startsWith('#!') || SCRIPT_EXTENSIONS.has(nameExt)) {
    throw new UnsupportedType(REFUSED.script!);
  }
  return nameExt === 'csv' ? ALLOWED.csv! : ALLOWED.text!;
}
