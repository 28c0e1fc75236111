import { fail, type ActionFailure } from '@sveltejs/kit';
import type { ApiError } from '$lib/server/api';
import { formValues, text } from '$lib/forms';
import { MESSAGE_MAX, type MessageOutcome } from '$lib/components/messages/types';
import { parseFindings } from '../discussions/actions.server';

/** Form actions shared by the message pages: what a send carries, and how an API refusal comes back. */

type Finding = NonNullable<MessageOutcome['findings']>[number];

/** An API error as an outcome; the privacy guard's 422 keeps its findings so the page asks to confirm. */
export function apiFailure(
  result: { status: number; error: ApiError },
  scope: MessageOutcome['scope'],
  data: FormData,
  messageId?: number
) {
  const findings = (result.error as ApiError & { findings?: Finding[] }).findings;
  const privacy = result.error.code === 'privacy_check' && Array.isArray(findings);
  return fail(result.status, {
    scope,
    messageId,
    message: result.error.message,
    // The API names the text `body`; the page's field is the same one.
    fields: privacy ? {} : (result.error.fields ?? {}),
    values: formValues(data),
    findings: privacy ? findings : undefined
  } satisfies MessageOutcome);
}

/**
 * The message to send and whether the member confirmed past the privacy question. Refused here,
 * with the text kept: an empty or over-long message, and "Send anyway" without the box ticked.
 */
export function messageToSend(
  data: FormData
): { ok: true; body: string; confirm: { confirmPrivacy?: true } } | { ok: false; failure: ActionFailure<MessageOutcome> } {
  const body = text(data, 'body');
  const refuse = (message: string, field: string, findings?: Finding[]) => ({
    ok: false as const,
    failure: fail(400, {
      scope: 'composer',
      message,
      fields: { [field]: message },
      values: formValues(data),
      findings
    } satisfies MessageOutcome)
  });
  if (body.trim() === '') return refuse('Write a message before sending.', 'body');
  if (body.length > MESSAGE_MAX) return refuse(`Keep the message to ${MESSAGE_MAX.toLocaleString('en-US')} characters.`, 'body');
  const confirmed = text(data, 'confirmPrivacy') === 'yes';
  if (text(data, 'intent') === 'confirm' && !confirmed) {
    return refuse(
      'Tick the box to confirm the message contains no victim-identifying information, or edit it.',
      'confirmPrivacy',
      parseFindings(text(data, 'findings'))
    );
  }
  return { ok: true, body, confirm: confirmed ? { confirmPrivacy: true } : {} };
}
