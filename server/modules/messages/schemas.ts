import { MESSAGE_FLAG_REASONS } from '../../../db/schema/index.ts';
import { obj, str } from '../../shared/schema.ts';
import { MESSAGE_MAX } from './send.ts';

/** Request schemas: generous bounds at the edge; the services give the precise messages. */

const id = { type: 'integer', minimum: 1, maximum: 2_147_483_647 };
const body = str(1, MESSAGE_MAX + 1000);
const confirmPrivacy = { type: 'boolean' };
const cursor = str(3, 40, { pattern: '^\\d{1,15}\\.\\d{1,12}$' });

export const sendBody = obj({ to: id, body, confirmPrivacy }, ['to', 'body']);
export const replyBody = obj({ body, confirmPrivacy }, ['body']);
export const inboxQuery = obj({ after: cursor, limit: { type: 'integer', minimum: 1, maximum: 50 } }, []);
export const conversationQuery = obj({ before: id, limit: { type: 'integer', minimum: 1, maximum: 100 } }, []);
export const readBody = obj({ upTo: id });
export const flagBody = obj(
  { reason: { type: 'string', enum: [...MESSAGE_FLAG_REASONS] }, note: { anyOf: [str(0, 1000), { type: 'null' }] } },
  ['reason']
);
export const queueQuery = obj({ after: cursor, limit: { type: 'integer', minimum: 1, maximum: 50 } }, []);
export const decideBody = obj(
  {
    outcome: { type: 'string', enum: ['dismiss', 'hide', 'delete', 'purge', 'warn'] },
    message: { anyOf: [str(0, 2000), { type: 'null' }] },
    note: { anyOf: [str(0, 1000), { type: 'null' }] }
  },
  ['outcome']
);
