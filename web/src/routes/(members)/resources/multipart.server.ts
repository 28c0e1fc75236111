/**
 * The share form without JavaScript posts multipart/form-data here. The file must not be held whole
 * in memory, so the body is never parsed as a whole: only the text fields before the file part (the
 * file input is the form's last field) are read; the file part and everything after it are passed on
 * as a stream, byte for byte.
 */

const CRLF = '\r\n';

export interface SplitBody {
  /** The text fields that came before the first file part, in order. */
  fields: [string, string][];
  /** The first file part's field name and file name ('' when the member chose no file). */
  file: { name: string; fileName: string } | null;
  /** From the file part's boundary line to the end of the body, unchanged; null when there is no file part. */
  rest: ReadableStream<Uint8Array> | null;
}

export class MultipartError extends Error {
  constructor(
    message: string,
    readonly status = 400
  ) {
    super(message);
  }
}

/** The web server's own body limit (adapter-node's BODY_SIZE_LIMIT) errors the stream with a 413. */
function tooLargeForServer(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { status?: unknown }).status === 413;
}

/** The boundary from a multipart/form-data content type, or null. */
export function boundaryOf(contentType: string | null): string | null {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return null;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2] ?? null;
}

function headerParam(headers: string, param: string): string | null {
  const disposition = headers.split(CRLF).find((line) => /^content-disposition:/i.test(line));
  if (!disposition) return null;
  const match = new RegExp(`;\\s*${param}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(disposition);
  return match ? match[1]!.replace(/\\(.)/g, '$1') : null;
}

/** A stream of `head` followed by whatever `reader` still has. */
function replay(head: Buffer, reader: ReadableStreamDefaultReader<Uint8Array>): ReadableStream<Uint8Array> {
  let sentHead = head.length === 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!sentHead) {
        sentHead = true;
        controller.enqueue(new Uint8Array(head));
        return;
      }
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    }
  });
}

/**
 * Reads the text fields up to the first file part. `maxPrefix` caps what may be buffered before it
 * (the text fields are small; a body of nothing but text is not an upload).
 */
export async function splitAtFile(
  body: ReadableStream<Uint8Array>,
  boundary: string,
  maxPrefix = 256 * 1024
): Promise<SplitBody> {
  const reader = body.getReader();
  const dash = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.from(`${CRLF}--${boundary}`);
  let buffer = Buffer.alloc(0);
  let ended = false;
  const fields: [string, string][] = [];

  async function more(): Promise<void> {
    if (ended) throw new MultipartError('The form was cut short. Send it again.');
    if (buffer.length > maxPrefix) throw new MultipartError('The form’s text fields are too long.');
    const { done, value } = await reader.read();
    if (done) ended = true;
    else buffer = Buffer.concat([buffer, value]);
  }

  try {
    // The first boundary (a preamble before it is allowed and ignored).
    let pos = buffer.indexOf(dash);
    while (pos < 0) {
      await more();
      pos = buffer.indexOf(dash);
    }
    for (;;) {
      while (buffer.length < pos + dash.length + 2) await more();
      if (buffer.subarray(pos + dash.length, pos + dash.length + 2).toString('latin1') === '--') {
        await reader.cancel();
        return { fields, file: null, rest: null };
      }
      let headerEnd = buffer.indexOf(`${CRLF}${CRLF}`, pos);
      while (headerEnd < 0) {
        await more();
        headerEnd = buffer.indexOf(`${CRLF}${CRLF}`, pos);
      }
      const headers = buffer.subarray(pos + dash.length + 2, headerEnd).toString('utf8');
      const name = headerParam(headers, 'name');
      if (name === null) throw new MultipartError('The form could not be read. Send it again.');
      const fileName = headerParam(headers, 'filename');
      if (fileName !== null) {
        return { fields, file: { name, fileName }, rest: replay(buffer.subarray(pos), reader) };
      }
      const valueStart = headerEnd + 4;
      let next = buffer.indexOf(delimiter, valueStart);
      while (next < 0) {
        await more();
        next = buffer.indexOf(delimiter, valueStart);
      }
      fields.push([name, buffer.subarray(valueStart, next).toString('utf8')]);
      pos = next + 2;
    }
  } catch (err) {
    await reader.cancel().catch(() => undefined);
    if (tooLargeForServer(err)) {
      throw new MultipartError(
        'This form is larger than the site accepts without JavaScript. Turn JavaScript on to upload a large file.',
        413
      );
    }
    throw err;
  }
}

/** A multipart body: these text fields, then `rest` (a file part and the closing boundary) or the closing boundary. */
export function joinMultipart(
  boundary: string,
  fields: [string, string][],
  rest: ReadableStream<Uint8Array> | null
): ReadableStream<Uint8Array> {
  const head = fields
    .map(([name, value]) => `--${boundary}${CRLF}Content-Disposition: form-data; name="${name}"${CRLF}${CRLF}${value}${CRLF}`)
    .join('');
  const headBytes = Buffer.from(rest ? head : `${head}--${boundary}--${CRLF}`, 'utf8');
  if (!rest) {
    return new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(headBytes));
        controller.close();
      }
    });
  }
  return replay(headBytes, rest.getReader());
}
