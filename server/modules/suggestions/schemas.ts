import { SUGGESTION_STATUSES } from '../../../db/schema/index.ts';
import { obj, str } from '../../shared/schema.ts';
import { DESCRIPTION_MAX, NOTE_MAX, TITLE_MAX } from './input.ts';
import { SORTS } from './read.ts';

/** Request schemas: the edge. Lengths are generous bounds; the services give the precise messages. */

const id = { type: 'integer', minimum: 1, maximum: 2_147_483_647 };
const status = { type: 'string', enum: [...SUGGESTION_STATUSES] };

const details = {
  title: str(1, TITLE_MAX + 50),
  description: str(0, DESCRIPTION_MAX + 1000),
  confirmPrivacy: { type: 'boolean' }
};

export const createBody = obj(details, ['title']);
export const patchBody = obj(details, []);
export const voteBody = obj({ vote: { type: 'boolean' } });
export const statusBody = obj(
  {
    status,
    note: { anyOf: [str(0, NOTE_MAX + 500), { type: 'null' }] },
    duplicateOfId: { anyOf: [id, { type: 'null' }] },
    confirmPrivacy: { type: 'boolean' }
  },
  ['status']
);
export const listQuery = obj(
  {
    sort: { type: 'string', enum: [...SORTS] },
    status,
    q: str(1, 300),
    after: str(1, 40, { pattern: '^\\d{1,12}(\\.\\d{1,12}){0,2}$' }),
    limit: { type: 'integer', minimum: 1, maximum: 50 }
  },
  []
);
export const similarQuery = obj({ q: str(0, 300), excludeId: id }, ['q']);
