import { error, fail } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { failWith, formValues, ROLE_LABELS, text } from '$lib/forms';
import type { Actions, PageServerLoad } from './$types';

interface MemberRow {
  id: number;
  name: string;
  email: string;
  agency: string;
  role: string;
  status: string;
  taskForceId: number | null;
  taskForceName: string | null;
  mfaEnabled: boolean;
  locked: boolean;
  lockedUntil: number | null;
  lastActiveAt: number | null;
  accessExtendedUntil: number | null;
  grantEndsAt: number | null;
}

const STATUSES = ['pending', 'active', 'suspended', 'expired', 'disabled'];
const ROLES = ['member', 'coordinator', 'moderator', 'editor', 'admin'];

export const load: PageServerLoad = async (event) => {
  const params = event.url.searchParams;
  const q = (params.get('q') ?? '').slice(0, 100);
  const status = STATUSES.includes(params.get('status') ?? '') ? params.get('status')! : '';
  const role = ROLES.includes(params.get('role') ?? '') ? params.get('role')! : '';
  const after = /^\d{1,15}$/.test(params.get('after') ?? '') ? params.get('after')! : undefined;
  const client = api(event);
  const [list, taskForces] = await Promise.all([
    client.get<{ members: MemberRow[]; next: number | null }>('/admin/members', { q, status, role, after, limit: 50 }),
    client.get<{ taskForces: { id: number; name: string }[] }>('/admin/task-forces')
  ]);
  if (!list.ok) error(list.status >= 400 ? list.status : 500, list.error.message);
  return {
    filters: { q, status, role },
    paged: after !== undefined,
    members: list.data.members,
    next: list.data.next,
    taskForces: taskForces.ok ? taskForces.data.taskForces.map((t) => ({ id: t.id, name: t.name })) : []
  };
};

/** Every member form carries the member's id (and name, for the confirmation message). */
function target(data: FormData): { id: number; name: string } | null {
  const id = Number(text(data, 'id'));
  return Number.isInteger(id) && id > 0 ? { id, name: text(data, 'memberName').slice(0, 120) || 'the member' } : null;
}

const noTarget = () => {
  const message = 'The form did not say which member. Reload the page and try again.';
  return fail(400, { message, fields: {} as Record<string, string>, values: {} as Record<string, string> });
};

export const actions: Actions = {
  role: async (event) => {
    const data = await event.request.formData();
    const member = target(data);
    if (!member) return noTarget();
    const role = text(data, 'role');
    const taskForce = text(data, 'taskForceId');
    const taskForceId = taskForce === '' ? null : Number(taskForce);
    if (taskForceId !== null && (!Number.isInteger(taskForceId) || taskForceId < 1)) {
      return fail(400, {
        message: 'Choose a task force from the list.',
        fields: { taskForceId: 'Choose a task force from the list.' },
        values: formValues(data)
      });
    }
    const result = await api(event).post(`/admin/members/${member.id}/role`, { role, taskForceId });
    if (!result.ok) return failWith(result.status, result.error, formValues(data));
    return { success: `Saved the role of ${member.name}: ${ROLE_LABELS[role] ?? role}.`, memberId: member.id };
  },
  suspend: async (event) => {
    const data = await event.request.formData();
    const member = target(data);
    if (!member) return noTarget();
    const reason = text(data, 'reason');
    if (reason.trim().length < 3 || reason.length > 500) {
      const message = 'Write a reason for the suspension, between 3 and 500 characters.';
      return fail(400, { message, fields: { reason: message }, values: formValues(data) });
    }
    const result = await api(event).post(`/admin/members/${member.id}/suspend`, { reason });
    if (!result.ok) return failWith(result.status, result.error, formValues(data));
    return { success: `Suspended ${member.name}. They were signed out everywhere.`, memberId: member.id };
  },
  reinstate: async (event) => {
    const data = await event.request.formData();
    const member = target(data);
    if (!member) return noTarget();
    const result = await api(event).post(`/admin/members/${member.id}/reinstate`);
    if (!result.ok) return failWith(result.status, result.error, formValues(data));
    return { success: `Reinstated ${member.name}.`, memberId: member.id };
  },
  unlock: async (event) => {
    const data = await event.request.formData();
    const member = target(data);
    if (!member) return noTarget();
    const result = await api(event).post(`/admin/members/${member.id}/unlock`);
    if (!result.ok) return failWith(result.status, result.error, formValues(data));
    return { success: `Unlocked ${member.name}. They can sign in again.`, memberId: member.id };
  },
  extend: async (event) => {
    const data = await event.request.formData();
    const member = target(data);
    if (!member) return noTarget();
    const until = text(data, 'until');
    if (until !== '' && !/^\d{4}-\d{2}-\d{2}$/.test(until)) {
      const message = 'Enter the date as YYYY-MM-DD.';
      return fail(400, { message, fields: { until: message }, values: formValues(data) });
    }
    const result = await api(event).post(`/admin/members/${member.id}/extend-access`, { until: until || null });
    if (!result.ok) return failWith(result.status, result.error, formValues(data));
    return {
      memberId: member.id,
      success: until
        ? `${member.name} keeps access until the end of ${until} (UTC).`
        : `Removed the access extension of ${member.name}.`
    };
  }
};
