import { api } from '$lib/server/api';
import type { PageServerLoad } from './$types';

/** GET /api/admin/dashboard (server/modules/dashboard/service.ts): a part is null when the role does not see it. */
export interface Dashboard {
  generatedAt: number;
  weekStarts: number[];
  taskForce: { id: number; name: string } | null;
  membership: {
    pendingRequests: number;
    activeMembers: number;
    activeThisWeek: number;
    expiringSoon: { count: number; members: { id: number; name: string; taskForceName: string | null; endsAt: number }[] };
    weeks: { start: number; joined: number; signedIn: number }[];
  } | null;
  activity: {
    postsThisWeek: number;
    threadsThisWeek: number;
    resourcesThisWeek: number | null;
    weeks: { start: number; posts: number; threads: number; resources: number | null }[];
  } | null;
  moderation: { openFlags: number; flaggedPosts: number; oldestOpenFlagAt: number | null } | null;
  system: {
    databaseBytes: number;
    filesBytes: number;
    fileCount: number;
    freeBytes: number | null;
    lastBackupAt: number | null;
  } | null;
}

/** The staff overview: the layout already checked that this is staff. */
export const load: PageServerLoad = async (event) => {
  const result = await api(event).get<Dashboard>('/admin/dashboard');
  return {
    dashboard: result.ok ? result.data : null,
    dashboardError: result.ok ? null : result.error.message
  };
};
