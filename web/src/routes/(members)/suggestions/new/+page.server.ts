import { fail, redirect } from '@sveltejs/kit';
import { api, type ApiError } from '$lib/server/api';
import { formValues, text } from '$lib/forms';
import type { PrivacyFinding } from '$lib/discussions';
import type { SuggestionSummary } from '$lib/components/suggestions/suggestions';
import type { Actions } from './$types';

export interface NewSuggestionOutcome {
  message?: string;
  fields?: Record<string, string>;
  values: Record<string, string>;
  findings?: PrivacyFinding[];
  similar?: SuggestionSummary[];
  checked?: boolean;
}

async function similarTo(event: Parameters<Actions[string]>[0], title: string): Promise<SuggestionSummary[]> {
  if (!title.trim()) return [];
  const result = await api(event).get<{ suggestions: SuggestionSummary[] }>('/suggestions/similar', { q: title.slice(0, 300) });
  return result.ok ? result.data.suggestions : [];
}

export const actions: Actions = {
  /** Without JavaScript: "Check for similar suggestions" runs the duplicate hint here. */
  similar: async (event) => {
    const data = await event.request.formData();
    const values = formValues(data);
    return { values, similar: await similarTo(event, text(data, 'title')), checked: true } satisfies NewSuggestionOutcome;
  },

  submit: async (event) => {
    const data = await event.request.formData();
    const values = formValues(data);
    const confirmed = text(data, 'confirmPrivacy') === 'yes';
    const result = await api(event).post<{ id: number }>('/suggestions', {
      title: text(data, 'title'),
      description: text(data, 'description'),
      ...(confirmed ? { confirmPrivacy: true } : {})
    });
    if (!result.ok) {
      const findings = (result.error as ApiError & { findings?: PrivacyFinding[] }).findings;
      const privacy = result.error.code === 'privacy_check' && Array.isArray(findings);
      return fail(result.status, {
        message: result.error.message,
        fields: privacy ? {} : (result.error.fields ?? {}),
        values,
        findings: privacy ? findings : undefined,
        similar: await similarTo(event, text(data, 'title')),
        checked: true
      } satisfies NewSuggestionOutcome);
    }
    redirect(303, `/suggestions/${result.data.id}?created=1`);
  }
};
