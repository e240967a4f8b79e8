import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, api, buildUrl, fieldPath, readCookie, request, toApiError } from './client';

describe('toApiError', () => {
  it('keeps the problem members and indexes field errors by field', () => {
    const e = toApiError(400, {
      type: 'https://kehu.dev/problems/invalid_argument',
      title: 'Invalid input',
      status: 400,
      detail: '2 fields are invalid',
      errors: [
        { field: 'phones[0]', message: 'not a phone number' },
        { field: 'birthday', message: 'not a date' },
        { field: 'birthday', message: 'second message is ignored' },
      ],
    });
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(400);
    expect(e.message).toBe('2 fields are invalid');
    expect(e.fieldErrors).toEqual({ 'phones[0]': 'not a phone number', birthday: 'not a date' });
    expect(e.problem.errors).toHaveLength(3);
  });

  it('exposes conflict_id of a 409 and current of a 412', () => {
    expect(toApiError(409, { type: 't', title: 'Duplicate', status: 409, conflict_id: 42 }).conflictId).toBe(42);
    const current = { id: 7, version: 4, name: '王小明' };
    const e = toApiError(412, { type: 't', title: 'Stale', status: 412, current });
    expect(e.current).toEqual(current);
    expect(e.conflictId).toBeUndefined();
  });

  it('keeps the lists a refusal offers: allowed statuses and a workbook import’s sheets', () => {
    const e = toApiError(400, { type: 't', title: 'Invalid', status: 400, sheets: ['填写说明', '客户'] });
    expect(e.problem.sheets).toEqual(['填写说明', '客户']);
    expect(toApiError(409, { type: 't', title: 'Conflict', status: 409, allowed: ['paid'] }).problem.allowed).toEqual(['paid']);
    // Anything but a list of strings is left out.
    expect(toApiError(400, { type: 't', title: 'Invalid', status: 400, sheets: [1, 2] }).problem.sheets).toBeUndefined();
    expect(toApiError(400, { type: 't', title: 'Invalid', status: 400, sheets: 'x' }).problem).not.toHaveProperty('sheets');
  });

  it('makes a usable error from a body that is not a problem', () => {
    const e = toApiError(502, null, '<html>Bad gateway</html>');
    expect(e.status).toBe(502);
    expect(e.problem.title).toBe('Bad Gateway');
    expect(e.problem.detail).toContain('Bad gateway');
    expect(e.fieldErrors).toEqual({});
  });

  it('ignores malformed errors entries and uses the HTTP status, not the body status', () => {
    const e = toApiError(422, { status: 200, errors: [null, 'x', { field: 'name', message: 'required' }] });
    expect(e.status).toBe(422);
    expect(e.fieldErrors).toEqual({ name: 'required' });
  });

  it('reads Retry-After on a 429', () => {
    expect(toApiError(429, { title: 'Slow down' }, '', '30').retryAfterSeconds).toBe(30);
    expect(toApiError(429, {}, '', null).retryAfterSeconds).toBeUndefined();
  });
});

describe('fieldPath', () => {
  it('turns API field paths into form paths', () => {
    expect(fieldPath('name')).toEqual(['name']);
    expect(fieldPath('phones[0]')).toEqual(['phones', 0]);
    expect(fieldPath('address.city')).toEqual(['address', 'city']);
    expect(fieldPath('consents[2].channel')).toEqual(['consents', 2, 'channel']);
  });
});

describe('readCookie and buildUrl', () => {
  it('reads one cookie among several', () => {
    expect(readCookie('kehu_csrf', 'a=1; kehu_csrf=abc%3D; b=2')).toBe('abc=');
    expect(readCookie('kehu_csrf', 'a=1')).toBe('');
  });
  it('drops empty query parameters and encodes the rest', () => {
    expect(buildUrl('/customers', { q: '王', category: '', owner_id: 3, tag: undefined })).toBe(
      '/api/v1/customers?q=%E7%8E%8B&owner_id=3',
    );
  });
});

describe('request', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('sends the CSRF token, If-Match and JSON on a write, with the cookie credentials', async () => {
    vi.stubGlobal('document', { cookie: 'kehu_csrf=tok123' });
    const fetchMock = vi.fn(async () =>
      new Response(JSON.stringify({ id: 1, version: 3 }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      }),
    );
    vi.stubGlobal('fetch', fetchMock);
    const out = await request<{ id: number }>('PATCH', '/customers/1', { body: { name: 'x' }, ifMatch: 2 });
    expect(out).toEqual({ id: 1, version: 3 });
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/customers/1');
    expect(init.credentials).toBe('same-origin');
    const h = init.headers as Record<string, string>;
    expect(h['X-CSRF-Token']).toBe('tok123');
    expect(h['If-Match']).toBe('"2"');
    expect(init.body).toBe('{"name":"x"}');
  });

  it('throws an ApiError with field errors for a problem+json answer', async () => {
    vi.stubGlobal('document', { cookie: '' });
    vi.stubGlobal('fetch', async () =>
      new Response(
        JSON.stringify({ type: 't', title: 'Invalid', status: 400, errors: [{ field: 'phones[0]', message: 'bad' }] }),
        { status: 400, headers: { 'content-type': 'application/problem+json' } },
      ),
    );
    await expect(request('POST', '/customers', { body: {} })).rejects.toMatchObject({
      status: 400,
      fieldErrors: { 'phones[0]': 'bad' },
    });
  });

  it('uploads a file as its own bytes (GBK stays GBK) with the CSRF token and an idempotency key', async () => {
    vi.stubGlobal('document', { cookie: 'kehu_csrf=tok9' });
    const fetchMock = vi.fn(async () =>
      new Response('{"rows":1}', { status: 200, headers: { 'content-type': 'application/json' } }),
    );
    vi.stubGlobal('fetch', fetchMock);
    const gbk = new Uint8Array([0xd0, 0xd5, 0xc3, 0xfb, 0x0a]); // "姓名\n" in GBK
    const out = await api.upload<{ rows: number }>('/imports', { dry_run: true }, new Blob([gbk]), 'text/csv');
    expect(out).toEqual({ rows: 1 });
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/imports?dry_run=true');
    const h = init.headers as Record<string, string>;
    expect(h['Content-Type']).toBe('text/csv');
    expect(h['X-CSRF-Token']).toBe('tok9');
    expect(h['Idempotency-Key']).toBeTruthy();
    expect(new Uint8Array(await (init.body as Blob).arrayBuffer())).toEqual(gbk);
  });

  it('answers undefined for 204', async () => {
    vi.stubGlobal('document', { cookie: '' });
    vi.stubGlobal('fetch', async () => new Response(null, { status: 204 }));
    await expect(request('DELETE', '/customers/1')).resolves.toBeUndefined();
  });
});
