import { SPOTLIGHT_KINDS } from '../../../db/schema/index.ts';
import { isoDate, obj, str } from '../../shared/schema.ts';
import { BODY_MAX, COMMENT_MAX, PARTNER_NAME_MAX, SUMMARY_MAX, TITLE_MAX, URL_MAX } from './input.ts';

/** Request schemas: the edge. Lengths are generous bounds; the services give the precise messages. */

const id = { type: 'integer', minimum: 1, maximum: 2_147_483_647 };
const optionalId = { anyOf: [id, { type: 'null' }] };
const kind = { type: 'string', enum: [...SPOTLIGHT_KINDS] };
const nullableStr = (max: number) => ({ anyOf: [str(0, max), { type: 'null' }] });

const fields = {
  kind,
  title: str(1, TITLE_MAX + 50),
  summary: str(0, SUMMARY_MAX + 100),
  body: str(0, BODY_MAX + 1000),
  featuredMemberId: optionalId,
  featuredTaskForceId: optionalId,
  featuredResourceId: optionalId,
  partnerName: nullableStr(PARTNER_NAME_MAX + 50),
  partnerUrl: nullableStr(URL_MAX + 100),
  confirmPrivacy: { type: 'boolean' }
};

export const createBody = obj({ ...fields, week: isoDate }, ['kind', 'title']);
/** No week (schedule/unschedule do that) and nothing about consent: those fields are refused, not ignored. */
export const patchBody = obj(fields, []);
export const scheduleBody = obj({ week: isoDate });
export const consentBody = obj(
  {
    revision: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
    decision: { type: 'string', enum: ['approve', 'changes', 'decline'] },
    comment: nullableStr(COMMENT_MAX + 100)
  },
  ['revision', 'decision']
);
export const previewBody = obj({ body: str(0, BODY_MAX + 1000) });
export const listQuery = obj(
  {
    q: str(1, 200),
    kind,
    after: str(3, 30, { pattern: '^\\d{1,15}\\.\\d{1,12}$' }),
    limit: { type: 'integer', minimum: 1, maximum: 50 }
  },
  []
);
export const calendarQuery = obj({ from: isoDate }, []);
export const memberOptionsQuery = obj({ q: str(0, 100), limit: { type: 'integer', minimum: 1, maximum: 20 } }, []);
