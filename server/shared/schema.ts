/** Small builders so every schema says additionalProperties: false the same way. */
type Json = Record<string, unknown>;

export const str = (minLength: number, maxLength: number, extra: Json = {}) => ({
  type: 'string',
  minLength,
  maxLength,
  ...extra
});
export const email = { type: 'string', minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$' };
export const password = { type: 'string', minLength: 1, maxLength: 1024 };
export const token = { type: 'string', minLength: 1, maxLength: 100 };
export const idParam = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } }
};
export const isoDate = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };

export function obj(properties: Record<string, Json>, required: string[] = Object.keys(properties)) {
  return { type: 'object', additionalProperties: false, properties, required };
}

/** For state-changing routes that take nothing: an empty object (a missing body is read as {}). */
export const noBody = obj({});

/** The JSON error body every 4xx and 5xx shares. */
export const errorBody = obj({ error: obj({ code: { type: 'string' }, message: { type: 'string' } }, ['code', 'message']) });
