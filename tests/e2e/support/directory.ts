import sharp from 'sharp';
import { expect } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';

/** A small real photo (a PNG the server can re-encode), drawn here so the test carries no binary file. */
export function photoPng(colour = '#336699'): Promise<Buffer> {
  return sharp({ create: { width: 96, height: 96, channels: 3, background: colour } })
    .png()
    .toBuffer();
}

/** What the API answers this page's own session (fetched inside the page: its cookies, its origin). */
export function apiTextInPage(page: Page, path: string): Promise<{ status: number; text: string }> {
  return page.evaluate(async (url) => {
    const response = await fetch(url, { headers: { accept: 'application/json' } });
    return { status: response.status, text: await response.text() };
  }, `/api${path}`);
}

/** None of `words` anywhere in the page's HTML (attributes, hydration data and all). */
export async function expectNotInHtml(page: Page, words: string[]): Promise<void> {
  const html = await page.content();
  for (const word of words) expect(html, `"${word}" in the HTML of ${page.url()}`).not.toContain(word);
}

/** None of `words` in what the API answers this page's session for `path`. */
export async function expectNotInApi(page: Page, path: string, words: string[]): Promise<string> {
  const answer = await apiTextInPage(page, path);
  expect(answer.status, `GET /api${path}`).toBe(200);
  for (const word of words) expect(answer.text, `"${word}" in GET /api${path}`).not.toContain(word);
  return answer.text;
}

/** The HTTP status this browser context's session gets for `path` (its cookies; not the page's console). */
export async function statusFor(context: BrowserContext, origin: string, path: string): Promise<number> {
  const response = await context.request.get(`${origin}${path}`);
  return response.status();
}
