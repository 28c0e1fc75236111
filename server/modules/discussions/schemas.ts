import { DISCIPLINES, FLAG_REASONS, NOTIFICATION_LEVELS, PIN_SCOPES, REACTIONS } from '../../../db/schema/index.ts';
import { isoDate, obj, str } from '../../shared/schema.ts';
import { BODY_MAX, TITLE_MAX } from './compose.ts';

/** Request schemas: the edge. Lengths here are generous bounds; the services give the precise messages. */

const id = { type: 'integer', minimum: 1, maximum: 2_147_483_647 };
export const body = str(1, BODY_MAX + 1000);
export const title = str(1, TITLE_MAX + 50);
const confirmPrivacy = { type: 'boolean' };
const cursor = str(3, 40, { pattern: '^\\d{1,15}\\.\\d{1,12}$' });
const limit = { type: 'integer', minimum: 1, maximum: 100 };
const level = { type: 'string', enum: [...NOTIFICATION_LEVELS] };

export const listQuery = obj({ after: cursor, limit }, []);
export const categoryThreadsQuery = obj({ after: cursor, limit, view: { type: 'string', enum: ['active', 'deleted'] } }, []);
export const threadPageQuery = obj(
  { from: id, before: id, unread: { type: 'boolean' }, limit: { type: 'integer', minimum: 1, maximum: 50 } },
  []
);
export const newThreadBody = obj({ title, body, confirmPrivacy }, ['title', 'body']);
export const replyBody = obj({ body, quotePostId: { anyOf: [id, { type: 'null' }] }, confirmPrivacy }, ['body']);
export const editBody = obj({ body, title, confirmPrivacy }, ['body']);
export const previewBody = obj({ body, title }, ['body']);
export const readBody = obj({ number: id });
export const levelBody = obj({ level });
export const reactionBody = obj({ kind: { type: 'string', enum: [...REACTIONS] }, reacted: { type: 'boolean' } }, ['kind']);
export const bookmarkBody = obj({ bookmarked: { type: 'boolean' } });
export const flagBody = obj(
  { reason: { type: 'string', enum: [...FLAG_REASONS] }, note: { anyOf: [str(0, 1000), { type: 'null' }] } },
  ['reason']
);
export const draftBody = obj({ body: str(0, BODY_MAX + 1000), title: { anyOf: [str(0, TITLE_MAX + 50), { type: 'null' }] } }, [
  'body'
]);
export const mentionQuery = obj({ q: str(0, 100), threadId: id, categoryId: id }, ['q']);

export const pinBody = obj(
  {
    scope: { anyOf: [{ type: 'string', enum: [...PIN_SCOPES] }, { type: 'null' }] },
    until: { anyOf: [isoDate, { type: 'null' }] }
  },
  ['scope']
);
export const lockBody = obj({ locked: { type: 'boolean' } });
export const closeBody = obj({ closed: { type: 'boolean' } });
export const moveBody = obj({ categoryId: id });
export const decideBody = obj(
  {
    outcome: { type: 'string', enum: ['dismiss', 'hide', 'edit', 'delete', 'warn'] },
    note: { anyOf: [str(0, 1000), { type: 'null' }] },
    body,
    title,
    confirmPrivacy,
    message: str(0, 2000)
  },
  ['outcome']
);
export const purgeBody = obj(
  { replacement: { anyOf: [body, { type: 'null' }] }, title: { anyOf: [title, { type: 'null' }] }, confirmPrivacy },
  []
);
export const categoryBody = obj({
  name: str(2, 80),
  description: str(0, 500),
  position: { type: 'integer', minimum: 0, maximum: 10_000 },
  colour: { type: 'string', pattern: '^#[0-9a-fA-F]{6}$' },
  taskForceIds: { type: 'array', maxItems: 100, items: id },
  disciplines: { type: 'array', maxItems: DISCIPLINES.length, items: { type: 'string', enum: [...DISCIPLINES] } }
});

export const searchQuery = obj(
  {
    q: str(1, 300),
    categoryId: id,
    authorId: id,
    from: isoDate,
    to: isoDate,
    mine: { type: 'boolean' },
    page: { type: 'integer', minimum: 1, maximum: 10 }
  },
  ['q']
);
