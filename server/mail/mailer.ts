import nodemailer from 'nodemailer';
import type { Db } from '../../db/client.ts';
import { outbox } from '../../db/schema/index.ts';
import type { Clock } from '../shared/clock.ts';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** The mail seam: the outbox by default, SMTP when SMTP_URL is set. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
  close?(): void;
}

/** Development default: a row in the outbox table and a line on the console. */
export class OutboxMailer implements Mailer {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly print: (line: string) => void
  ) {}
  async send(mail: Mail): Promise<void> {
    this.db
      .insert(outbox)
      .values({ ...mail, createdAt: this.clock.now() })
      .run();
    this.print(`\n--- mail to ${mail.to}: ${mail.subject}\n${mail.text}\n---\n`);
  }
}

export class SmtpMailer implements Mailer {
  private readonly transport;
  constructor(
    url: string,
    private readonly from: string
  ) {
    this.transport = nodemailer.createTransport(url);
  }
  async send(mail: Mail): Promise<void> {
    await this.transport.sendMail({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text });
  }
  close(): void {
    this.transport.close();
  }
}
