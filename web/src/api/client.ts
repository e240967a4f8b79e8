// The one way the web app talks to the server: same-origin fetch with the session cookie, the
// CSRF header on writes, and RFC 9457 problems turned into ApiError values that forms can show
// beside their fields. The session token is never kept in JavaScript (HttpOnly cookie).
import type { FieldError, Problem } from './types';

export const API_BASE = '/api/v1';

/** A failed API call: the HTTP status plus the problem+json body (or one made up from it). */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  /** Field errors keyed by the API's field path: {"phones[0]": "not a phone number"}. */
  readonly fieldErrors: Record<string, string>;

  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
    this.fieldErrors = {};
    for (const e of problem.errors ?? []) {
      // Keep the first message per field: it is usually the most basic one.
      if (!(e.field in this.fieldErrors)) this.fieldErrors[e.field] = e.message;
    }
  }

  /** With 409: the id of the object that already holds the unique phone or email. */
  get conflictId(): number | undefined {
    return this.problem.conflict_id;
  }
  /** With 412: the object as it is now on the server. */
  get current(): Record<string, unknown> | undefined {
    return this.problem.current;
  }
  get retryAfterSeconds(): number | undefined {
    const v = (this.problem as { retry_after?: number }).retry_after;
    return typeof v === 'number' ? v : undefined;
  }
}

const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/**
 * Builds the ApiError for a non-2xx answer. `body` is the parsed JSON body when there was one
 * (a problem document, or any other JSON), else null; `text` the raw body for other types.
 * A body that is not a well-formed problem still yields a usable error with the HTTP status.
 */
/** A problem member that must be a list of strings (`allowed`, `sheets`); undefined otherwise. */
function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

export function toApiError(status: number, body: unknown, text = '', retryAfter?: string | null): ApiError {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const errors: FieldError[] = Array.isArray(b.errors)
    ? b.errors
        .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
        .map((e) => ({ field: String(e.field ?? ''), message: String(e.message ?? '') }))
    : [];
  const problem: Problem = {
    type: typeof b.type === 'string' ? b.type : 'about:blank',
    title:
      typeof b.title === 'string' && b.title
        ? b.title
        : STATUS_TITLES[status] ?? `HTTP ${status}`,
    status,
    ...(typeof b.detail === 'string'
      ? { detail: b.detail }
      : text && !body
        ? { detail: text.slice(0, 300) }
        : {}),
    ...(errors.length ? { errors } : {}),
    ...(typeof b.conflict_id === 'number' ? { conflict_id: b.conflict_id } : {}),
    ...(strings(b.allowed) ? { allowed: strings(b.allowed) } : {}),
    ...(strings(b.sheets) ? { sheets: strings(b.sheets) } : {}),
    ...(b.current && typeof b.current === 'object'
      ? { current: b.current as Record<string, unknown> }
      : {}),
  };
  const retry = retryAfter != null ? Number(retryAfter) : NaN;
  if (Number.isFinite(retry)) (problem as { retry_after?: number }).retry_after = retry;
  return new ApiError(problem);
}

/**
 * An API field path as the path of an Ant Design form field:
 * "phones[0]" → ["phones", 0], "address.city" → ["address", "city"], "name" → ["name"].
 */
export function fieldPath(apiField: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of apiField.split('.')) {
    const re = /([^[\]]+)|\[(\d+)\]/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(part))) out.push(m[1] !== undefined ? m[1] : Number(m[2]));
  }
  return out;
}

/** The value of a cookie readable by scripts (the CSRF cookie), or "". */
export function readCookie(name: string, cookieString = typeof document === 'undefined' ? '' : document.cookie): string {
  for (const part of cookieString.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return '';
}

type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** The version being edited, sent as If-Match: "<version>". */
  ifMatch?: number;
  /**
   * A body sent byte for byte instead of JSON (an uploaded file), with its Content-Type. A File
   * or Blob is never decoded in the browser, so the server sees the original encoding (GBK).
   */
  raw?: { data: Blob | ArrayBuffer | Uint8Array; contentType: string };
  signal?: AbortSignal;
}

let onUnauthorized: (() => void) | null = null;
/** Called on any 401 from a route other than login (the session expired): the app signs out. */
export function setUnauthorizedHandler(fn: (() => void) | null) {
  onUnauthorized = fn;
}

export function buildUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null || v === '') continue;
    params.set(k, String(v));
  }
  const qs = params.toString();
  return `${API_BASE}${path}${qs ? `?${qs}` : ''}`;
}

/** Performs one API call and returns the decoded JSON (undefined for 204), or throws ApiError. */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (opts.raw) headers['Content-Type'] = opts.raw.contentType;
  else if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') {
    const csrf = readCookie('kehu_csrf');
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  if (method === 'POST') headers['Idempotency-Key'] = newIdempotencyKey();
  if (opts.ifMatch !== undefined) headers['If-Match'] = `"${opts.ifMatch}"`;

  let res: Response;
  try {
    res = await fetch(buildUrl(path, opts.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.raw
        ? (opts.raw.data as BodyInit)
        : opts.body !== undefined
          ? JSON.stringify(opts.body)
          : undefined,
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw toApiError(0, { title: 'Network error', detail: String((e as Error).message ?? e) });
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  const text = await res.text();
  let json: unknown = null;
  if (type.includes('json') && text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!res.ok) {
    if (res.status === 401 && path !== '/auth/login' && path !== '/auth/me' && onUnauthorized) {
      onUnauthorized();
    }
    throw toApiError(res.status, json, text, res.headers.get('retry-after'));
  }
  return json as T;
}

function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (c && 'randomUUID' in c) return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) =>
    request<T>('GET', path, { query, signal }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body }),
  patch: <T>(path: string, body: unknown, ifMatch?: number) =>
    request<T>('PATCH', path, { body, ifMatch }),
  del: (path: string) => request<void>('DELETE', path),
  /** POSTs raw bytes (a file) with the given Content-Type; query parameters as for get. */
  upload: <T>(path: string, query: Query, data: Blob | ArrayBuffer | Uint8Array, contentType: string) =>
    request<T>('POST', path, { query, raw: { data, contentType } }),
};
