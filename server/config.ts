import path from 'node:path';

/** Every environment variable the server reads, parsed and validated here and nowhere else. */
export interface Config {
  env: 'production' | 'development' | 'test';
  port: number;
  host: string;
  dataDir: string;
  /** Public origin used in links and for the Origin check, e.g. https://connect.example.gov */
  publicOrigin: string;
  /** Cookies get Secure and the __Host- prefix; HSTS is sent. True when publicOrigin is https. */
  secureCookies: boolean;
  trustProxy: boolean;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  inactivityDisableDays: number;
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  smtpUrl: string | null;
  mailFrom: string;
  /** 32-byte key (hex) that encrypts TOTP secrets at rest; generated into DATA_DIR if unset. */
  secretKey: string | null;
  logLevel: string;
  siteName: string;
  demo: boolean;
  /** Discussions: a member may post at most once per this many seconds (0 turns the limit off). */
  postIntervalSeconds: number;
  /** Discussions: new threads a member may start per 24 hours. */
  threadsPerDay: number;
  /** Live notifications (GET /api/ws): ping interval; a socket that misses a pong is dropped at the next. */
  wsHeartbeatMs: number;
  /** A socket with more unsent bytes than this is dropped (a slow client must not grow memory). */
  wsMaxBufferedBytes: number;
  /** Open sockets per member; opening one more closes the oldest. */
  wsMaxSocketsPerMember: number;
  /** Resource library (UPLOAD_MAX_MB, default 100): the largest file a member may upload; larger → 413. */
  uploadMaxBytes: number;
  /** Resource library (UPLOADS_PER_HOUR, default 20): uploads (new resources and new versions) per member per hour. */
  uploadsPerHour: number;
  /** Images for profiles and spotlights (IMAGE_MAX_MB, default 10): the largest picture accepted; larger → 413. */
  imageMaxBytes: number;
  /** IMAGE_UPLOADS_PER_HOUR (default 30): pictures a member may upload per hour. */
  imageUploadsPerHour: number;
  /** Direct messages (MESSAGES_PER_MINUTE, default 30; MESSAGES_PER_DAY, default 200): messages a member may send. */
  messagesPerMinute: number;
  messagesPerDay: number;
  /** Serve the built web app (web/build) beside the API; false runs the API alone (crash tests, API-only hosts). */
  serveWeb: boolean;
  /** Browser tests only: a file holding the server clock's offset in ms (server/shared/clock.ts). */
  testClockFile: string | null;
  /** A whole request (headers and body) must arrive within this; slower clients get 408 (slow-loris bodies). */
  requestTimeoutMs: number;
  /** The request headers must arrive within this (slow-loris headers); at most requestTimeoutMs. */
  headersTimeoutMs: number;
  /** A socket silent this long, mid-request or between requests, is closed. */
  idleTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (keep it above a reverse proxy's own keep-alive). */
  keepAliveTimeoutMs: number;
  /** Operations (docs/operations.md). BACKUP_DIR: where scheduled backups go (default DATA_DIR/backups). */
  backupDir: string;
  /** BACKUP_INTERVAL_HOURS (default 24; 0 turns the in-server schedule off). */
  backupIntervalHours: number;
  /** BACKUP_KEEP (default 14): backups kept; older ones are pruned, never the newest. */
  backupKeep: number;
  /** AUDIT_RETENTION_DAYS (default 400, at least 365): older audit rows move to DATA_DIR/archive. */
  auditRetentionDays: number;
  /** READY_MIN_FREE_MB (default 512): /api/ready fails below this much free disk under DATA_DIR. */
  readyMinFreeBytes: number;
  /** METRICS_PORT (default off): a separate listener serving only GET /metrics. */
  metricsPort: number | null;
  /** METRICS_HOST (default 127.0.0.1): where that listener binds. */
  metricsHost: string;
  /** METRICS_TOKEN (default off): enables GET /api/metrics with Authorization: Bearer <token>. */
  metricsToken: string | null;
  /** Weekly spotlights (server/modules/spotlights/week.ts): the slot's publish day, time and time zone. */
  spotlight: SpotlightConfig;
}

export const PUBLISH_DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

export interface SpotlightConfig {
  /** SPOTLIGHT_PUBLISH_DAY (default monday): the day of each weekly slot the spotlight goes out. */
  publishDay: (typeof PUBLISH_DAYS)[number];
  /** SPOTLIGHT_PUBLISH_TIME (HH:MM, 24-hour, default 09:00), wall-clock time in the time zone below. */
  publishTime: { hour: number; minute: number };
  /** SPOTLIGHT_TIME_ZONE (IANA name, default America/New_York): weeks and publish moments are read there. */
  timeZone: string;
  /** SPOTLIGHT_JOB_INTERVAL_MS (default 30000): how often the publish job looks for due spotlights. */
  jobIntervalMs: number;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function testClockFile(env: Env, nodeEnv: Config['env']): string | null {
  const file = env.TEST_CLOCK_FILE || null;
  if (file && nodeEnv === 'production') throw new ConfigError('TEST_CLOCK_FILE is for tests and cannot be set in production');
  return file;
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development';
  const port = int(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST || '0.0.0.0';
  const publicOrigin = (env.PUBLIC_ORIGIN || `http://localhost:${port}`).replace(/\/$/, '');
  let origin: URL;
  try {
    origin = new URL(publicOrigin);
  } catch {
    throw new ConfigError(`PUBLIC_ORIGIN must be a URL such as https://connect.example.gov, got "${publicOrigin}"`);
  }
  if (origin.protocol !== 'http:' && origin.protocol !== 'https:') {
    throw new ConfigError(`PUBLIC_ORIGIN must start with http:// or https://, got "${publicOrigin}"`);
  }
  const smtpUrl = env.SMTP_URL || null;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) {
    throw new ConfigError(`SMTP_URL must start with smtp:// or smtps://`);
  }
  const secretKey = env.SECRET_KEY || null;
  if (secretKey && !/^[0-9a-f]{64}$/i.test(secretKey)) {
    throw new ConfigError('SECRET_KEY must be 64 hexadecimal characters (32 bytes)');
  }
  const logLevel = env.LOG_LEVEL || (nodeEnv === 'test' ? 'silent' : 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "${logLevel}"`);
  }
  const idleMinutes = int(env, 'SESSION_IDLE_MINUTES', 30, 1, 24 * 60);
  const absoluteHours = int(env, 'SESSION_ABSOLUTE_HOURS', 12, 1, 24 * 30);
  const requestTimeoutMs = int(env, 'REQUEST_TIMEOUT_MS', 60_000, 100, 3_600_000);
  const headersTimeoutMs = int(env, 'HEADERS_TIMEOUT_MS', Math.min(20_000, requestTimeoutMs), 100, 3_600_000);
  // Node refuses to start a server whose header deadline is later than its request deadline.
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(
      `HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not be more than REQUEST_TIMEOUT_MS (${requestTimeoutMs})`
    );
  }
  return {
    env: nodeEnv,
    port,
    host,
    dataDir: path.resolve(env.DATA_DIR || './data'),
    publicOrigin: origin.origin,
    secureCookies: origin.protocol === 'https:',
    trustProxy: bool(env, 'TRUST_PROXY', false),
    sessionIdleMs: idleMinutes * 60_000,
    sessionAbsoluteMs: absoluteHours * 3_600_000,
    inactivityDisableDays: int(env, 'INACTIVITY_DISABLE_DAYS', 90, 1, 3650),
    argon2: {
      memoryCost: int(env, 'ARGON2_MEMORY_KIB', 19456, 1024, 1048576),
      timeCost: int(env, 'ARGON2_ITERATIONS', 2, 1, 20),
      parallelism: int(env, 'ARGON2_PARALLELISM', 1, 1, 16)
    },
    smtpUrl,
    mailFrom: env.MAIL_FROM || 'Task Force Connect <no-reply@localhost>',
    secretKey,
    logLevel,
    siteName: env.SITE_NAME || 'Task Force Connect',
    demo: bool(env, 'DEMO', false),
    postIntervalSeconds: int(env, 'POST_INTERVAL_SECONDS', 5, 0, 3600),
    threadsPerDay: int(env, 'THREADS_PER_DAY', 20, 1, 10000),
    wsHeartbeatMs: int(env, 'WS_HEARTBEAT_MS', 30_000, 50, 600_000),
    wsMaxBufferedBytes: int(env, 'WS_MAX_BUFFERED_KB', 1024, 16, 65536) * 1024,
    wsMaxSocketsPerMember: int(env, 'WS_MAX_SOCKETS_PER_MEMBER', 10, 1, 100),
    uploadMaxBytes: int(env, 'UPLOAD_MAX_MB', 100, 1, 10_240) * 1024 * 1024,
    uploadsPerHour: int(env, 'UPLOADS_PER_HOUR', 20, 1, 100_000),
    imageMaxBytes: int(env, 'IMAGE_MAX_MB', 10, 1, 100) * 1024 * 1024,
    imageUploadsPerHour: int(env, 'IMAGE_UPLOADS_PER_HOUR', 30, 1, 100_000),
    messagesPerMinute: int(env, 'MESSAGES_PER_MINUTE', 30, 1, 10_000),
    messagesPerDay: int(env, 'MESSAGES_PER_DAY', 200, 1, 100_000),
    serveWeb: bool(env, 'SERVE_WEB', true),
    testClockFile: testClockFile(env, nodeEnv),
    requestTimeoutMs,
    headersTimeoutMs,
    idleTimeoutMs: int(env, 'IDLE_TIMEOUT_MS', 30_000, 100, 3_600_000),
    keepAliveTimeoutMs: int(env, 'KEEP_ALIVE_TIMEOUT_MS', 72_000, 100, 3_600_000),
    ...opsConfig(env, path.resolve(env.DATA_DIR || './data')),
    spotlight: spotlightConfig(env)
  };
}

/** The weekly spotlight's slot (SPOTLIGHT_*): validated here so a typo fails at start, not at 09:00 on Monday. */
function spotlightConfig(env: Env): SpotlightConfig {
  const day = (env.SPOTLIGHT_PUBLISH_DAY || 'monday').toLowerCase();
  if (!(PUBLISH_DAYS as readonly string[]).includes(day)) {
    throw new ConfigError(`SPOTLIGHT_PUBLISH_DAY must be a day of the week such as monday, got "${env.SPOTLIGHT_PUBLISH_DAY}"`);
  }
  const time = env.SPOTLIGHT_PUBLISH_TIME || '09:00';
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!match) throw new ConfigError(`SPOTLIGHT_PUBLISH_TIME must be a 24-hour time such as 09:00, got "${time}"`);
  const timeZone = env.SPOTLIGHT_TIME_ZONE || 'America/New_York';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new ConfigError(`SPOTLIGHT_TIME_ZONE must be a time zone name such as America/New_York, got "${timeZone}"`);
  }
  return {
    publishDay: day as SpotlightConfig['publishDay'],
    publishTime: { hour: Number(match[1]), minute: Number(match[2]) },
    timeZone,
    jobIntervalMs: int(env, 'SPOTLIGHT_JOB_INTERVAL_MS', 30_000, 100, 3_600_000)
  };
}

/** The operations settings (backups, retention, readiness, metrics): see docs/operations.md. */
function opsConfig(env: Env, dataDir: string) {
  const metricsToken = env.METRICS_TOKEN || null;
  // A bearer token guards the metrics route with no rate limit: it must be long enough not to be guessed.
  if (metricsToken && !/^[A-Za-z0-9._~+/=-]{32,256}$/.test(metricsToken)) {
    throw new ConfigError('METRICS_TOKEN must be 32 to 256 characters (letters, digits, ._~+/=-), e.g. openssl rand -hex 32');
  }
  const metricsPort = int(env, 'METRICS_PORT', 0, 0, 65535);
  return {
    backupDir: path.resolve(env.BACKUP_DIR || path.join(dataDir, 'backups')),
    backupIntervalHours: int(env, 'BACKUP_INTERVAL_HOURS', 24, 0, 24 * 31),
    backupKeep: int(env, 'BACKUP_KEEP', 14, 1, 10_000),
    auditRetentionDays: int(env, 'AUDIT_RETENTION_DAYS', 400, 365, 36_500),
    readyMinFreeBytes: int(env, 'READY_MIN_FREE_MB', 512, 0, 10_000_000) * 1024 * 1024,
    metricsPort: metricsPort === 0 ? null : metricsPort,
    metricsHost: env.METRICS_HOST || '127.0.0.1',
    metricsToken
  };
}
