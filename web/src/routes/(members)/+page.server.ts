import { api } from '$lib/server/api';
import type { ConsentRequest, Spotlight } from '$lib/components/spotlights/spotlights';
import type { PageServerLoad } from './$types';

/** The home page leads with this week's spotlight, and with any spotlight waiting for my approval. */
export const load: PageServerLoad = async (event) => {
  const client = api(event);
  const [current, requests] = await Promise.all([
    client.get<{ spotlight: Spotlight | null }>('/spotlights/current'),
    client.get<{ requests: ConsentRequest[] }>('/spotlights/consent-requests')
  ]);
  return {
    spotlight: current.ok ? current.data.spotlight : null,
    spotlightRequests: requests.ok ? requests.data.requests : []
  };
};
