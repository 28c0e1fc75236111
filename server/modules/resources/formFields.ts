import type { Discipline, ResourceType } from '../../../db/schema/index.ts';
import { Invalid } from '../../shared/errors.ts';
import type { ResourceInput } from './input.ts';

/** The multipart form's text fields: the same as the JSON body's, written as a browser form sends them. */
export const SHARE_FIELDS: ReadonlySet<string> = new Set([
  'title',
  'description',
  'type',
  'tags',
  'audience',
  'taskForceIds',
  'disciplines',
  'originTaskForceId',
  'confirmPrivacy'
]);

function one(fields: Map<string, string[]>, name: string): string | undefined {
  const values = fields.get(name);
  if (!values) return undefined;
  if (values.length > 1) throw new Invalid(`Send "${name}" once.`, { [name]: 'Sent more than once.' });
  return values[0];
}

/** Repeated fields and comma-separated values alike ("1,2" or 1 and 2). */
function many(fields: Map<string, string[]>, name: string): string[] {
  return (fields.get(name) ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

function ids(fields: Map<string, string[]>, name: string): number[] {
  return many(fields, name).map((v) => {
    if (!/^\d{1,9}$/.test(v) || Number(v) < 1)
      throw new Invalid('Choose task forces from the list.', { [name]: 'Not a task force.' });
    return Number(v);
  });
}

/** Multipart fields → the same input the JSON routes take (the service validates the values). */
export function inputFromForm(fields: Map<string, string[]>): ResourceInput {
  const audience = one(fields, 'audience');
  if (audience !== undefined && audience !== 'all' && audience !== 'restricted') {
    throw new Invalid('Choose who can see it.', { audience: 'Choose all members or some task forces or disciplines.' });
  }
  const origin = one(fields, 'originTaskForceId')?.trim();
  if (origin && (!/^\d{1,9}$/.test(origin) || Number(origin) < 1)) {
    throw new Invalid('Choose the task force of origin from the list.', { originTaskForceId: 'Not a task force.' });
  }
  const title = one(fields, 'title');
  if (title === undefined) throw new Invalid('Give the resource a title.', { title: 'This field is required.' });
  const type = one(fields, 'type');
  if (type === undefined) throw new Invalid('Choose a type.', { type: 'This field is required.' });
  const confirm = one(fields, 'confirmPrivacy');
  return {
    title,
    description: one(fields, 'description') ?? '',
    type: type as ResourceType,
    tags: many(fields, 'tags'),
    ...(audience ? { audience } : {}),
    taskForceIds: ids(fields, 'taskForceIds'),
    disciplines: many(fields, 'disciplines') as Discipline[],
    originTaskForceId: origin ? Number(origin) : null,
    confirmPrivacy: confirm === 'true' || confirm === 'on' || confirm === '1'
  };
}
