import type { Page } from 'playwright-core';

export interface Focused {
  tag: string;
  type: string;
  /** The element's label text (inputs), or its text (links and buttons). */
  name: string;
  /** A focus indicator the eye can see: an outline or a box shadow. */
  visible: boolean;
  style: string;
}

/** What has keyboard focus now, and whether it is visibly marked. */
export function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { tag: 'body', type: '', name: '', visible: false, style: '' };
    const labelled = el as HTMLInputElement;
    const label = labelled.labels && labelled.labels.length > 0 ? labelled.labels[0]!.innerText : null;
    const name = (label ?? el.getAttribute('aria-label') ?? el.innerText ?? '').replace(/\s+/g, ' ').trim();
    const css = getComputedStyle(el);
    const outline = css.outlineStyle !== 'none' && parseFloat(css.outlineWidth) > 0;
    const shadow = css.boxShadow !== 'none' && css.boxShadow !== '';
    return {
      tag: el.tagName.toLowerCase(),
      type: el.getAttribute('type') ?? '',
      name,
      visible: outline || shadow,
      style: `outline: ${css.outlineStyle} ${css.outlineWidth}; box-shadow: ${css.boxShadow}`
    };
  });
}

/**
 * Presses Tab (or Shift+Tab) until the element named `name` has focus, checking at every stop on the
 * way that focus is visible. Fails if it is not reached within `max` presses.
 */
export async function tabTo(page: Page, name: string, opts: { back?: boolean; max?: number } = {}): Promise<Focused> {
  const key = opts.back ? 'Shift+Tab' : 'Tab';
  const seen: string[] = [];
  for (let i = 0; i < (opts.max ?? 30); i++) {
    await page.keyboard.press(key);
    const now = await focused(page);
    seen.push(`${now.tag}${now.type ? `[${now.type}]` : ''} "${now.name}"`);
    if (!now.visible && now.tag !== 'body') {
      throw new Error(`focus is not visible on ${seen.at(-1)} (${now.style}) at ${page.url()}`);
    }
    if (now.name === name) return now;
  }
  throw new Error(`"${name}" was not reached by ${key} at ${page.url()}; focus went to:\n  ${seen.join('\n  ')}`);
}

/** Presses Tab once and expects `name` to be focused (the next stop in order). */
export async function nextIs(page: Page, name: string, opts: { back?: boolean } = {}): Promise<Focused> {
  return tabTo(page, name, { ...opts, max: 1 });
}
