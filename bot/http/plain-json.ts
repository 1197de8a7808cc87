/**
 * JSON in and out on plain node:http objects, for the routes served ahead of Express (bot/http/server.ts).
 * The body is read and parsed as `express.json({ strict: true })` does, for the ordinary case only (a
 * JSON content type in UTF-8, no content or transfer encoding, a declared length within the limit:
 * `isPlainJson` tells from the headers, and anything else takes the Express chain); its errors carry the
 * `status` and `type` body-parser gives them, so the one error handler answers them alike. Answers are
 * written as `res.json` writes them (same headers, no ETag), without Express's per-call header work.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Content types read here (compared lower-cased); other spellings and charsets take the Express chain. */
const PLAIN_TYPES = new Set(['application/json', 'application/json; charset=utf-8', 'application/json;charset=utf-8']);
const DECIMAL = /^\d{1,12}$/;
/** JSON's whitespace (RFC 7159), then the first other character, as body-parser finds it. */
const FIRST_NON_WHITESPACE = /^[ \t\n\r]*([^ \t\n\r]|$)/;

/** True when the request's body can be read here: an ordinary JSON body declared within `limit` bytes. */
export function isPlainJson(req: IncomingMessage, limit: number): boolean {
  const h = req.headers;
  const type = h['content-type'];
  if (type === undefined || !PLAIN_TYPES.has(type.toLowerCase())) return false;
  if (h['content-encoding'] !== undefined || h['transfer-encoding'] !== undefined) return false;
  const length = h['content-length'];
  return length !== undefined && DECIMAL.test(length) && Number(length) <= limit;
}

/** An error as body-parser shapes it (`status`, `type`): the error handler maps it to its reason. */
const bodyError = <E extends Error>(err: E, status: number, type: string): E => Object.assign(err, { status, statusCode: status, expose: true, type });

/** body-parser's strict violation: the SyntaxError JSON.parse gives at the first character that is not `{` or `[`. */
function strictViolation(text: string, first: string | undefined): SyntaxError {
  const index = first === undefined ? -1 : text.indexOf(first);
  const partial = index === -1 ? '' : text.substring(0, index) + '#'.repeat(text.length - index);
  try {
    JSON.parse(partial);
    return new SyntaxError('strict violation');
  } catch (e) {
    const err = e as SyntaxError;
    err.message = err.message.replace(/#+/g, (placeholder) => text.substring(index, index + placeholder.length));
    return err;
  }
}

/** Parses `text` as express.json({ strict: true }) does: empty is `{}`, the top level an object or an array. */
export function parseStrictJson(text: string): unknown {
  if (text.length === 0) return {};
  const c = text[0];
  if (c !== '{' && c !== '[') {
    const first = FIRST_NON_WHITESPACE.exec(text)?.[1] || undefined;
    if (first !== '{' && first !== '[') throw bodyError(strictViolation(text, first), 400, 'entity.parse.failed');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw bodyError(e as Error, 400, 'entity.parse.failed');
  }
}

/**
 * Reads the body of a request `isPlainJson` accepted and parses it (UTF-8, a leading byte-order mark
 * dropped as body-parser's decoder does); rejects with the error body-parser would give.
 */
export function readJsonBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => read(req, (err, value) => (err ? reject(err) : resolve(value))));
}

function read(req: IncomingMessage, done: (err: Error | undefined, value?: unknown) => void): void {
  let first: Buffer | undefined;
  let more: Buffer[] | undefined;
  let size = 0;
  const finish = (err: Error | undefined, value?: unknown): void => {
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('aborted', onAborted);
    req.off('error', onError);
    done(err, value);
  };
  const onData = (chunk: Buffer): void => {
    size += chunk.length;
    if (first === undefined) first = chunk;
    else if (more === undefined) more = [first, chunk];
    else more.push(chunk);
  };
  const onEnd = (): void => {
    const bytes = more ? Buffer.concat(more, size) : first;
    let text = bytes === undefined ? '' : bytes.toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    let value: unknown;
    try {
      value = parseStrictJson(text);
    } catch (err) {
      return finish(err as Error);
    }
    finish(undefined, value);
  };
  const onAborted = (): void => finish(bodyError(Object.assign(new Error('request aborted'), { code: 'ECONNABORTED' }), 400, 'request.aborted'));
  const onError = (err: Error): void => finish(Object.assign(err, { status: 400, statusCode: 400, expose: true }));
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('aborted', onAborted);
  req.on('error', onError);
}

/** The headers `res.json` adds for a body of `length` bytes. */
const jsonHeaders = (length: number): string[] => ['Content-Type', 'application/json; charset=utf-8', 'Content-Length', String(length)];

/**
 * Writes `body` as JSON the way Express's `res.json` does for these routes (Content-Type with its
 * charset, Content-Length, no ETag), after any header already set and the `extra` ones (name, value, …).
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, extra?: readonly string[]): void {
  const text = JSON.stringify(body);
  const headers = jsonHeaders(Buffer.byteLength(text));
  res.writeHead(status, extra ? [...extra, ...headers] : headers);
  res.end(text);
}
