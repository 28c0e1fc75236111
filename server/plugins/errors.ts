import fp from 'fastify-plugin';
import type { FastifyError } from 'fastify';
import { AppError, TooManyRequests } from '../shared/errors.ts';

/** Prefer the schema's own words, but say which field. */
function validationMessage(error: FastifyError): { message: string; fields: Record<string, string> } {
  const fields: Record<string, string> = {};
  for (const v of error.validation ?? []) {
    const params = v.params as Record<string, unknown>;
    const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    if (v.keyword === 'additionalProperties') {
      fields[String(params.additionalProperty)] = `Unknown field "${String(params.additionalProperty)}".`;
    } else if (v.keyword === 'required') {
      fields[String(params.missingProperty)] = 'This field is required.';
    } else {
      fields[path || 'body'] = v.message ?? 'Invalid value.';
    }
  }
  const first = Object.entries(fields)[0];
  const message = first ? (first[1].startsWith('Unknown') ? first[1] : `${first[0]}: ${first[1]}`) : error.message;
  return { message, fields };
}

/** Every error becomes a JSON body: 4xx with a clear message, 500 generic (no stack, no SQL). */
export const errorsPlugin = fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof AppError) {
        if (error instanceof TooManyRequests) reply.header('Retry-After', String(error.retryAfterSeconds));
        return reply
          .status(error.statusCode)
          .send({ error: { code: error.code, message: error.message, ...(error.fields ? { fields: error.fields } : {}) } });
      }
      if (error.validation) {
        const { message, fields } = validationMessage(error);
        return reply.status(400).send({ error: { code: 'invalid', message, fields } });
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        const message = /prototype property/.test(error.message)
          ? 'The request body contains a forbidden property name (__proto__ or constructor.prototype).'
          : status === 415
            ? 'Send the request body as JSON (Content-Type: application/json).'
            : status === 413
              ? 'The request is too large.'
              : error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
                ? 'The request body is not valid JSON.'
                : error.message;
        return reply.status(status).send({ error: { code: error.code ?? 'bad_request', message } });
      }
      request.log.error({ err: error }, 'unhandled error');
      return reply
        .status(500)
        .send({ error: { code: 'internal', message: `Something went wrong on our side. Reference: ${request.id}` } });
    });
  },
  { name: 'errors' }
);
