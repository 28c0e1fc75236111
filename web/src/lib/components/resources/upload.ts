/**
 * Uploads with a progress bar: fetch() cannot report upload progress, XMLHttpRequest can. The file
 * goes straight to the API's streaming upload route (same origin: the session cookie and the Origin
 * header go with it), so neither the browser's page nor the web server holds it whole.
 */

export interface UploadAnswer {
  status: number;
  /** The API's JSON reply, or null when the connection failed or the reply was not JSON. */
  json: Record<string, unknown> | null;
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function sendWithProgress(url: string, body: FormData, onProgress: (percent: number) => void): Promise<UploadAnswer> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(Math.min(100, Math.floor((event.loaded / event.total) * 100)));
    });
    xhr.upload.addEventListener('load', () => onProgress(100));
    xhr.addEventListener('load', () => {
      resolve({ status: xhr.status, json: parseJson(xhr.responseText) });
    });
    xhr.addEventListener('error', () => resolve({ status: 0, json: null }));
    xhr.addEventListener('abort', () => resolve({ status: 0, json: null }));
    xhr.send(body);
  });
}

export interface UploadError {
  message: string;
  fields: Record<string, string>;
  findings?: { kind: string; label: string; excerpt: string }[];
}

/** The API's error reply in the form's words; a dropped connection gets its own message. */
export function uploadError(answer: UploadAnswer): UploadError {
  const error = (answer.json?.error ?? null) as (UploadError & { code?: string }) | null;
  if (answer.status === 0) return { message: 'The upload did not finish: the connection failed. Try again.', fields: {} };
  if (!error || typeof error.message !== 'string')
    return { message: `The upload failed (the server answered ${answer.status}).`, fields: {} };
  return {
    message: error.message,
    fields: error.fields ?? {},
    findings: error.code === 'privacy_check' && Array.isArray(error.findings) ? error.findings : undefined
  };
}
