import { fail, type RequestEvent } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { text } from '$lib/forms';
import { idFrom } from '$lib/discussions';

export interface VoteOutcome {
  vote: { id: number; success?: string; message?: string };
}

const refused = (status: number, id: number, message: string) => {
  const outcome: VoteOutcome = { vote: { id, message } };
  return fail(status, outcome);
};

/** The vote toggle of the board and of a suggestion's page: the form says which way, so a double submit changes nothing. */
export async function voteAction(event: RequestEvent, fixedId?: number) {
  const data = await event.request.formData();
  const id = fixedId ?? idFrom(text(data, 'id'));
  if (!id) return refused(400, 0, 'The form did not say which suggestion. Reload the page.');
  const yes = text(data, 'vote') === 'true';
  const result = await api(event).post<{ voted: boolean; voteCount: number }>(`/suggestions/${id}/vote`, { vote: yes });
  if (!result.ok) return refused(result.status, id, result.error.message);
  const outcome: VoteOutcome = { vote: { id, success: result.data.voted ? 'Your vote was counted.' : 'Your vote was removed.' } };
  return outcome;
}
