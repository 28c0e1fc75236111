import { DISCIPLINES, RESOURCE_TYPES } from '../../../db/schema/index.ts';
import { isoDate, obj, str } from '../../shared/schema.ts';
import { DESCRIPTION_MAX, TITLE_MAX, URL_MAX } from './input.ts';
import { SORTS } from './read.ts';
import { TAG_MAX_LENGTH, TAGS_PER_RESOURCE } from './tags.ts';

/** Request schemas: the edge. Lengths are generous bounds; the services give the precise messages. */

const id = { type: 'integer', minimum: 1, maximum: 2_147_483_647 };
const type = { type: 'string', enum: [...RESOURCE_TYPES] };
const discipline = { type: 'string', enum: [...DISCIPLINES] };
const tag = str(0, TAG_MAX_LENGTH + 20);

const details = {
  title: str(1, TITLE_MAX + 50),
  description: str(0, DESCRIPTION_MAX + 1000),
  type,
  tags: { type: 'array', maxItems: TAGS_PER_RESOURCE * 3, items: tag },
  url: str(1, URL_MAX + 100),
  audience: { type: 'string', enum: ['all', 'restricted'] },
  taskForceIds: { type: 'array', maxItems: 100, items: id },
  disciplines: { type: 'array', maxItems: DISCIPLINES.length, items: discipline },
  originTaskForceId: { anyOf: [id, { type: 'null' }] },
  confirmPrivacy: { type: 'boolean' }
};

export const linkBody = obj(details, ['title', 'type', 'url']);
export const checkBody = obj({ ...details, kind: { type: 'string', enum: ['file', 'link'] } }, ['title', 'type', 'kind']);
export const patchBody = obj(details, []);
/** Multipart routes: the JSON body must be empty (the form's fields are checked by the service). */
export const multipartBody = obj({}, []);

export const listQuery = obj(
  {
    q: str(1, 300),
    type,
    tag: str(1, TAG_MAX_LENGTH + 20),
    taskForceId: id,
    discipline,
    from: isoDate,
    to: isoDate,
    sort: { type: 'string', enum: [...SORTS] },
    after: str(1, 30, { pattern: '^\\d{1,12}(\\.\\d{1,12})?$' }),
    limit: { type: 'integer', minimum: 1, maximum: 50 },
    view: { type: 'string', enum: ['active', 'deleted'] }
  },
  []
);
export const tagQuery = obj({ q: str(0, TAG_MAX_LENGTH + 20), limit: { type: 'integer', minimum: 1, maximum: 20 } }, []);
export const adminTagQuery = obj({ q: str(0, TAG_MAX_LENGTH + 20), limit: { type: 'integer', minimum: 1, maximum: 200 } }, []);
export const mergeBody = obj({ from: str(1, TAG_MAX_LENGTH + 20), into: str(1, TAG_MAX_LENGTH + 20) });
export const recommendBody = obj({ recommended: { type: 'boolean' } });
export const reportBody = obj({ note: { anyOf: [str(0, 500), { type: 'null' }] } }, []);
export const watchBody = obj({ tag: str(1, TAG_MAX_LENGTH + 20), type, watching: { type: 'boolean' } }, ['watching']);
