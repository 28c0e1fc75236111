import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/client.ts';
import type { Config } from './config.ts';
import type { EventBus } from './events/bus.ts';
import type { Mailer } from './mail/mailer.ts';
import type { Actor } from './policies/index.ts';
import type { Clock } from './shared/clock.ts';
import type { GroupCommit } from './shared/groupCommit.ts';
import type { Limiter } from './shared/limiter.ts';
import type { SecretBox } from './shared/secretBox.ts';
import type { SettingsStore } from './modules/settings/store.ts';
import type { SessionStore } from './modules/auth/sessions.ts';

/** What every service needs, built once by buildApp. */
export interface Deps {
  db: Db;
  /** Group commit for frequent member writes (replies, reactions, reading state, notifications). */
  writes: GroupCommit;
  bus: EventBus;
  config: Config;
  clock: Clock;
  box: SecretBox;
  mailer: Mailer;
  limiter: Limiter;
  settings: SettingsStore;
  sessions: SessionStore;
  log: FastifyBaseLogger;
}

/** One request's view: the dependencies plus who is asking and from where. */
export interface Ctx extends Deps {
  actor: Actor | null;
  ip: string;
  userAgent: string;
}
