import { EMAIL_MODES } from '../../../db/schema/index.ts';
import { obj } from '../../shared/schema.ts';
import { KIND_NAMES } from './kinds.ts';

/** Request schemas: the edge. */

const notificationId = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER };

export const listQuery = obj(
  { before: notificationId, limit: { type: 'integer', minimum: 1, maximum: 50 }, unread: { type: 'boolean' } },
  []
);
export const readAllBody = obj({ upTo: notificationId }, []);
export const preferencesBody = obj({
  preferences: {
    ...obj(Object.fromEntries(KIND_NAMES.map((kind) => [kind, { type: 'string', enum: [...EMAIL_MODES] }])), []),
    minProperties: 1
  }
});
/** The socket's cursor: the last notification id the client saw (0: none yet). */
export const socketQuery = obj({ after: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } }, []);
