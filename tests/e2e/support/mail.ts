import Database from 'better-sqlite3';
import path from 'node:path';

export interface SentMail {
  to: string;
  subject: string;
  text: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The server's outbox (the default mailer writes every mail there), read from its database file. */
export function mailbox(server: { origin: string; dataDir: string }) {
  const file = path.join(server.dataDir, 'tfc.sqlite');

  function mails(): SentMail[] {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT "to", subject, text FROM outbox ORDER BY id').all() as SentMail[];
    } finally {
      db.close();
    }
  }

  /** The `${origin}${pathPrefix}?token=…` link in the newest mail to `to` that carries one (waits up to 10 s). */
  async function waitForLink(to: string, pathPrefix: string): Promise<string> {
    const pattern = new RegExp(`${escape(server.origin + pathPrefix)}\\?token=[^\\s]+`);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = mails()
        .filter((m) => m.to === to)
        .map((m) => m.text.match(pattern)?.[0])
        .filter((link): link is string => link !== undefined)
        .pop();
      if (found) return found;
      if (Date.now() > deadline) {
        const seen = mails().map((m) => `${m.to}: ${m.subject}`);
        throw new Error(`no mail to ${to} with a ${pathPrefix} link within 10 s; outbox:\n  ${seen.join('\n  ') || '(empty)'}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return { mails, waitForLink };
}
