/** One error type per kind; the error handler maps each to its 4xx status. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>
  ) {
    super(message);
  }
}
export class Invalid extends AppError {
  constructor(message: string, fields?: Record<string, string>) {
    super(400, 'invalid', message, fields);
  }
}
export class Unauthorized extends AppError {
  constructor(message = 'Please sign in.') {
    super(401, 'unauthorized', message);
  }
}
export class Forbidden extends AppError {
  constructor(message = 'You do not have permission to do that.') {
    super(403, 'forbidden', message);
  }
}
export class NotFound extends AppError {
  constructor(message = 'Not found.') {
    super(404, 'not_found', message);
  }
}
export class Conflict extends AppError {
  constructor(message: string) {
    super(409, 'conflict', message);
  }
}
export class Gone extends AppError {
  constructor(message: string) {
    super(410, 'gone', message);
  }
}
export class TooManyRequests extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number
  ) {
    super(429, 'rate_limited', message);
  }
}
