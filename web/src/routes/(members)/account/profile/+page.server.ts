import { error, fail } from '@sveltejs/kit';
import { api, type ApiError } from '$lib/server/api';
import { formValues, text } from '$lib/forms';
import type { PrivacyFinding } from '$lib/discussions';
import { listFrom, PROFILE_FIELDS, VISIBILITIES, type MyProfile, type Visibility } from '$lib/components/directory/directory';
import { boundaryOf, joinMultipart, MultipartError, splitAtFile } from '../../resources/multipart.server';
import { drain } from '../../resources/shared.server';
import type { Actions, PageServerLoad } from './$types';

export interface ProfileOutcome {
  scope: 'profile' | 'photo';
  message?: string;
  success?: string;
  fields?: Record<string, string>;
  values?: Record<string, string>;
  findings?: PrivacyFinding[];
}

export const load: PageServerLoad = async (event) => {
  const result = await api(event).get<{ profile: MyProfile }>('/profile');
  if (!result.ok) error(result.status, result.error.message);
  return { profile: result.data.profile };
};

function refused(scope: ProfileOutcome['scope'], result: { status: number; error: ApiError }, values?: Record<string, string>) {
  const findings = (result.error as ApiError & { findings?: PrivacyFinding[] }).findings;
  const privacy = result.error.code === 'privacy_check' && Array.isArray(findings);
  return fail(result.status, {
    scope,
    message: result.error.message,
    fields: result.error.fields ?? {},
    values,
    findings: privacy ? findings : undefined
  } satisfies ProfileOutcome);
}

/** The form as the API's PUT body. Task force and discipline are the membership's: never sent. */
function profileBody(data: FormData) {
  const visibility: Partial<Record<string, Visibility>> = {};
  for (const field of PROFILE_FIELDS) {
    const level = text(data, `visibility.${field}`);
    if ((VISIBILITIES as string[]).includes(level)) visibility[field] = level as Visibility;
  }
  const contact = text(data, 'preferredContact');
  return {
    name: text(data, 'name').trim(),
    jobTitle: text(data, 'jobTitle').trim(),
    agency: text(data, 'agency').trim(),
    state: text(data, 'state') || null,
    bio: text(data, 'bio'),
    expertise: listFrom(text(data, 'expertise')).map((t) => t.toLowerCase()),
    languages: listFrom(text(data, 'languages')),
    preferredContact: contact === 'email' || contact === 'phone' ? contact : 'message',
    contactEmail: text(data, 'contactEmail').trim() || null,
    contactPhone: text(data, 'contactPhone').trim() || null,
    listed: text(data, 'listed') === 'yes',
    visibility,
    ...(text(data, 'confirmPrivacy') === 'yes' ? { confirmPrivacy: true } : {})
  };
}

/** The API names list items by position ("expertise.3"); the form has one field for the whole list. */
function fieldErrors(fields: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, message] of Object.entries(fields ?? {})) {
    const field = key.replace(/^\/?/, '').split(/[./[]/)[0] ?? key;
    out[field] ??= message;
  }
  return out;
}

export const actions: Actions = {
  save: async (event) => {
    const data = await event.request.formData();
    const values = formValues(data);
    const result = await api(event).put<{ profile: MyProfile }>('/profile', profileBody(data));
    if (!result.ok) {
      const failure = refused('profile', result, values);
      failure.data.fields = fieldErrors(failure.data.fields);
      return failure;
    }
    return { scope: 'profile', success: 'Your profile is saved.' } satisfies ProfileOutcome;
  },

  /** The photo form has one field, the file: it is streamed to the API as it comes, then becomes the profile's photo. */
  photo: async (event) => {
    const contentType = event.request.headers.get('content-type');
    const boundary = boundaryOf(contentType);
    const choose = 'Choose a photo first: a PNG, JPEG or WebP picture.';
    if (!boundary || !event.request.body) {
      return fail(400, { scope: 'photo', message: choose, fields: { file: choose } } satisfies ProfileOutcome);
    }
    let split: Awaited<ReturnType<typeof splitAtFile>>;
    try {
      split = await splitAtFile(event.request.body, boundary);
    } catch (err) {
      if (err instanceof MultipartError)
        return fail(err.status, { scope: 'photo', message: err.message } satisfies ProfileOutcome);
      throw err;
    }
    if (!split.file || split.file.name !== 'file' || split.file.fileName === '' || !split.rest) {
      await drain(split.rest);
      return fail(400, { scope: 'photo', message: choose, fields: { file: choose } } satisfies ProfileOutcome);
    }
    const client = api(event);
    const uploaded = await client.upload<{ image: { id: number } }>(
      '/images?purpose=profile',
      joinMultipart(boundary, [], split.rest),
      `multipart/form-data; boundary=${boundary}`
    );
    if (!uploaded.ok) {
      const failure = refused('photo', uploaded);
      failure.data.fields = { file: uploaded.error.fields?.file ?? uploaded.error.message };
      return failure;
    }
    const saved = await client.put('/profile', { photoImageId: uploaded.data.image.id });
    if (!saved.ok) return refused('photo', saved);
    return { scope: 'photo', success: 'Your new photo is saved.' } satisfies ProfileOutcome;
  },

  removePhoto: async (event) => {
    await event.request.formData();
    const result = await api(event).put('/profile', { photoImageId: null });
    if (!result.ok) return refused('photo', result);
    return { scope: 'photo', success: 'Your photo is removed.' } satisfies ProfileOutcome;
  }
};
