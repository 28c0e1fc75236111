import type { FastifyInstance } from 'fastify';
import { CONTACT_PREFERENCES, DISCIPLINES, FIELD_VISIBILITIES, PROFILE_FIELDS } from '../../../db/schema/index.ts';
import { idParam, obj, str } from '../../shared/schema.ts';
import { privacyCheckReplies } from '../discussions/routes.ts';
import { DEFAULT_LIMIT, listMembers, type DirectoryQuery } from './list.ts';
import { getMemberProfile } from './member.ts';
import { directoryOptions, expertiseSuggestions } from './options.ts';
import { BIO_MAX, getOwnProfile, MAX_EXPERTISE, MAX_LANGUAGES, updateOwnProfile, type ProfileInput } from './profile.ts';

const use = { access: 'directory.use' } as const;
const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });

const profileBody = obj(
  {
    name: str(0, 100),
    jobTitle: str(0, 150),
    agency: str(0, 200),
    state: nullable(str(0, 2)),
    bio: str(0, BIO_MAX + 500),
    languages: { type: 'array', maxItems: MAX_LANGUAGES * 2, items: str(0, 40) },
    expertise: { type: 'array', maxItems: MAX_EXPERTISE * 2, items: str(0, 40) },
    preferredContact: { type: 'string', enum: [...CONTACT_PREFERENCES] },
    contactEmail: nullable(str(0, 254)),
    contactPhone: nullable(str(0, 30)),
    listed: { type: 'boolean' },
    photoImageId: nullable({ type: 'integer', minimum: 1 }),
    visibility: obj(Object.fromEntries(PROFILE_FIELDS.map((f) => [f, { type: 'string', enum: [...FIELD_VISIBILITIES] }])), []),
    confirmPrivacy: { type: 'boolean' }
  },
  []
);

const listQuery = obj(
  {
    q: str(0, 100),
    // A GET form without JavaScript sends every field, the unused ones empty: empty means "any".
    discipline: { type: 'string', enum: [...DISCIPLINES, ''] },
    state: { type: 'string', pattern: '^([A-Za-z]{2})?$' },
    taskForceId: {
      anyOf: [
        { type: 'integer', minimum: 1 },
        { type: 'string', maxLength: 0 }
      ]
    },
    expertise: str(0, 40),
    language: str(0, 40),
    after: str(1, 400),
    limit: { type: 'integer', minimum: 1, maximum: 50, default: DEFAULT_LIMIT }
  },
  []
);

/** Profiles and the member directory (contract: /work/briefs/s4/directory-api.md). */
export async function directoryRoutes(app: FastifyInstance) {
  privacyCheckReplies(app);

  app.get('/profile', { config: use }, async (request) => getOwnProfile(request.ctx()));
  app.put('/profile', { config: use, schema: { body: profileBody } }, async (request) =>
    updateOwnProfile(request.ctx(), request.body as ProfileInput)
  );

  app.get('/members', { config: use, schema: { querystring: listQuery } }, async (request) =>
    listMembers(request.ctx(), request.query as DirectoryQuery)
  );
  app.get('/members/:id', { config: use, schema: { params: idParam } }, async (request) =>
    getMemberProfile(request.ctx(), (request.params as { id: number }).id)
  );

  app.get('/directory/options', { config: use }, async (request) => directoryOptions(request.ctx()));
  app.get('/directory/expertise', { config: use, schema: { querystring: obj({ q: str(1, 40) }) } }, async (request) =>
    expertiseSuggestions(request.ctx(), (request.query as { q: string }).q)
  );
}
