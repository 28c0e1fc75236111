import { error, fail } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import { DISCIPLINE_LABELS, failWith, formValues, text } from '$lib/forms';
import type { Actions, PageServerLoad } from './$types';

interface Category {
  id: number;
  name: string;
  description: string;
  position: number;
  colour: string;
  isPrivate: boolean;
  taskForceIds: number[];
  disciplines: string[];
  threadCount: number;
  postCount: number;
}

export const load: PageServerLoad = async (event) => {
  const { member } = await event.parent();
  if (member.role !== 'admin') error(403, 'Only administrators manage categories.');
  const client = api(event);
  const [categories, taskForces] = await Promise.all([
    client.get<{ categories: Category[] }>('/admin/categories'),
    client.get<{ taskForces: { id: number; name: string }[] }>('/admin/task-forces')
  ]);
  if (!categories.ok) error(categories.status >= 400 ? categories.status : 500, categories.error.message);
  if (!taskForces.ok) error(taskForces.status >= 400 ? taskForces.status : 500, taskForces.error.message);
  return {
    categories: categories.data.categories,
    taskForces: taskForces.data.taskForces.map((t) => ({ id: t.id, name: t.name }))
  };
};

/**
 * The form's fields as the API's body, or the first problem in plain words. Ticked boxes come
 * back to the page joined by commas, as formValues keeps one value per name.
 */
function readCategory(data: FormData) {
  const values = formValues(data);
  const ticked = data.getAll('taskForceIds').filter((v): v is string => typeof v === 'string');
  const taskForceIds = ticked.map(Number);
  const disciplines = data.getAll('disciplines').filter((v): v is string => typeof v === 'string');
  values.taskForceIds = ticked.join(',');
  values.disciplines = disciplines.join(',');
  const name = text(data, 'name').replace(/\s+/g, ' ').trim();
  const description = text(data, 'description').trim();
  const positionText = text(data, 'position').trim();
  const position = Number(positionText);
  const colour = text(data, 'colour').trim().toLowerCase();
  const fields: Record<string, string> = {};
  if (name.length < 2 || name.length > 80) fields.name = 'Enter a name of 2 to 80 characters.';
  if (description.length > 500) fields.description = 'Keep the description to 500 characters.';
  if (positionText === '' || !Number.isInteger(position) || position < 0 || position > 10_000)
    fields.position = 'Enter a whole number from 0 to 10000; lower numbers come first.';
  if (!/^#[0-9a-f]{6}$/.test(colour)) fields.colour = 'Choose a colour, like #1d3f6e.';
  if (taskForceIds.some((id) => !Number.isInteger(id) || id < 1)) fields.taskForceIds = 'Choose task forces from the list.';
  if (disciplines.some((d) => !Object.hasOwn(DISCIPLINE_LABELS, d))) fields.disciplines = 'Choose disciplines from the list.';
  const first = Object.values(fields)[0];
  if (first) return { problem: fail(400, { message: first, fields, values }), values };
  return { body: { name, description, position, colour, taskForceIds, disciplines }, values };
}

export const actions: Actions = {
  create: async (event) => {
    const data = await event.request.formData();
    const read = readCategory(data);
    if (read.problem) return read.problem;
    const result = await api(event).post('/admin/categories', read.body);
    if (!result.ok) return failWith(result.status, result.error, read.values);
    return { success: `Added the category ${read.body.name}.`, created: true };
  },
  update: async (event) => {
    const data = await event.request.formData();
    const id = Number(text(data, 'id'));
    if (!Number.isInteger(id) || id < 1) {
      const message = 'The form did not say which category. Reload the page and try again.';
      return fail(400, { message, fields: {} as Record<string, string>, values: {} as Record<string, string> });
    }
    const read = readCategory(data);
    if (read.problem) return read.problem;
    const result = await api(event).patch(`/admin/categories/${id}`, read.body);
    if (!result.ok) return failWith(result.status, result.error, read.values);
    return { success: `Saved the changes to ${read.body.name}.`, categoryId: id };
  }
};
