import { eq } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../../db/client.ts';
import { settings } from '../../../db/schema/index.ts';

export interface SiteSettings {
  /** Require two-step verification of every member, not only staff. */
  requireMfaForAll: boolean;
  /** E-mail domains of known agencies: matching requests are flagged, never auto-approved. */
  knownAgencyDomains: string[];
}

export const DEFAULT_SETTINGS: SiteSettings = { requireMfaForAll: false, knownAgencyDomains: [] };

/** Settings are read on every request (MFA rule), so they are cached and refreshed on write. */
export class SettingsStore {
  private cache: SiteSettings | null = null;
  constructor(private readonly db: Db) {}

  get(): SiteSettings {
    if (!this.cache) {
      const rows = this.db.select().from(settings).all();
      const stored = Object.fromEntries(rows.map((r) => [r.key, r.value]));
      this.cache = { ...DEFAULT_SETTINGS, ...(stored as Partial<SiteSettings>) };
    }
    return this.cache;
  }

  /** Called inside the caller's transaction; the cache is dropped so the next read sees the change. */
  write(tx: DbOrTx, patch: Partial<SiteSettings>, now: number): void {
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      const existing = tx.select().from(settings).where(eq(settings.key, key)).get();
      if (existing) tx.update(settings).set({ value, updatedAt: now }).where(eq(settings.key, key)).run();
      else tx.insert(settings).values({ key, value, updatedAt: now }).run();
    }
    this.cache = null;
  }
}
