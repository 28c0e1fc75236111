import type { APIRequestContext, Locator, Page } from 'playwright-core';

/** Direct-message fixtures and page helpers for tests/e2e/messages.e2e.ts. */

export interface ProfileInput {
  state?: string;
  jobTitle?: string;
  agency?: string;
  expertise?: string[];
  languages?: string[];
}

/** The member saves their own profile through the API (PUT /api/profile) with their session's cookies. */
export async function saveProfile(request: APIRequestContext, origin: string, profile: ProfileInput): Promise<void> {
  const res = await request.fetch(`${origin}/api/profile`, { method: 'PUT', headers: { origin }, data: profile });
  if (res.status() !== 200) throw new Error(`PUT /api/profile answered ${res.status()}: ${await res.text()}`);
}

/** The conversation id in a /messages/<id> address. */
export function conversationIdOf(page: Page): number {
  const match = /^\/messages\/(\d+)$/.exec(new URL(page.url()).pathname);
  if (!match) throw new Error(`not a conversation page: ${page.url()}`);
  return Number(match[1]);
}

/** The header's "Messages" link (its name gains " (N unread)"). */
export function messagesNavLink(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Messages/ });
}

/** Text frames the page's WebSocket receives from now on (to wait for the socket rather than sleep). */
export function socketFrames(page: Page): string[] {
  const frames: string[] = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
  return frames;
}

/**
 * Marks the current document; `reloaded` is true once another document replaced it. Live updates
 * must arrive with the marker still there.
 */
export async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { __tfcSameDocument?: boolean }).__tfcSameDocument = true));
}

export async function reloaded(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __tfcSameDocument?: boolean }).__tfcSameDocument !== true);
}

/** The message list item holding `text`. */
export function messageItem(page: Page, text: string): Locator {
  return page.locator('ol.message-list > li').filter({ hasText: text });
}

/** Chooses the option whose visible text starts with `label` (filters may add counts: "Ohio (2)"). */
export async function chooseOption(select: Locator, label: string): Promise<void> {
  const texts = await select.locator('option').allTextContents();
  const match = texts.find((t) => t.trim() === label || t.trim().startsWith(`${label} (`));
  if (match === undefined) throw new Error(`no option "${label}" in: ${texts.join(' | ')}`);
  await select.selectOption({ label: match.trim() });
}
