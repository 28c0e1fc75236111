import type { Browser, Page } from 'playwright-core';
import { checkA11y } from './browser.ts';

/**
 * A small but valid PDF whose one page shows `text` (Helvetica, so any PDF reader and the server's
 * text extraction can read it). `padding` bytes of PDF comment lines make it bigger, so an upload
 * takes long enough for the progress bar to move; every byte offset in the cross-reference table is
 * computed, so the file stays valid.
 */
export function minimalPdf(text: string, padding = 0): Buffer {
  const escaped = text.replace(/[\\()]/g, (c) => `\\${c}`);
  const content = `BT /F1 18 Tf 72 720 Td (${escaped}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'
  ];
  let out = '%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n';
  const line = `%${'0123456789abcdef'.repeat(4)}\n`;
  if (padding > 0) out += line.repeat(Math.ceil(padding / line.length));
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** The page's full width: more than the viewport means a horizontal scroll bar (WCAG 1.4.10). */
export function scrollWidth(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth));
}

/**
 * Records what the upload progress region says, from the first page load on (the page navigates
 * away as soon as the upload finishes, too fast to watch live). Read it with `uploadLog`.
 */
export async function recordUploadProgress(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const log: string[] = [];
    (window as unknown as { __uploadLog: string[] }).__uploadLog = log;
    const observer = new MutationObserver(() => {
      for (const region of document.querySelectorAll('.upload-progress')) {
        const text = region.textContent?.replace(/\s+/g, ' ').trim() ?? '';
        const bar = region.querySelector('progress');
        const entry = `${text}|${bar ? bar.value : ''}`;
        if (text && log[log.length - 1] !== entry) log.push(entry);
      }
    });
    observer.observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  });
}

export function uploadLog(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __uploadLog?: string[] }).__uploadLog ?? []);
}

/**
 * axe cannot run in a page with JavaScript off (its script never executes). The no-JavaScript page's
 * markup is served again, scripts removed, at the same address in a JavaScript-enabled context (so
 * the same stylesheets apply), and audited there.
 */
export async function auditWithoutJs(browser: Browser, source: Page, label: string): Promise<void> {
  const html = (await source.content()).replace(/<script\b[\s\S]*?<\/script>/gi, '');
  const context = await browser.newContext({ viewport: source.viewportSize() });
  try {
    const page = await context.newPage();
    await page.route(source.url(), (route) => route.fulfill({ status: 200, contentType: 'text/html', body: html }));
    await page.goto(source.url(), { waitUntil: 'load' });
    await checkA11y(page, `${label} (without JavaScript)`);
  } finally {
    await context.close();
  }
}
