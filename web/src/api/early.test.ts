import { afterEach, describe, expect, it, vi } from 'vitest';
import { dropEarly, earlyKey, settleEarly, startEarly, takeEarly } from './early';

describe('early requests', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('key a GET by path and sorted non-empty parameters', () => {
    expect(earlyKey('/customers', { sort: '-name', limit: 25, cursor: undefined, q: '' })).toBe(
      '/api/v1/customers?limit=25&sort=-name',
    );
    expect(earlyKey('/customers', { limit: 25, sort: '-name' })).toBe(earlyKey('/customers', { sort: '-name', limit: 25 }));
  });

  it('hand the answer over once, to the same query in any key order', async () => {
    vi.stubGlobal('document', { cookie: '' });
    const fetchMock = vi.fn(async () =>
      new Response('{"items":[],"next_cursor":null}', { status: 200, headers: { 'content-type': 'application/json' } }),
    );
    vi.stubGlobal('fetch', fetchMock);
    startEarly('/customers', { q: 'wxm', limit: 25 }, 1000);
    expect(takeEarly('/customers', { q: 'other', limit: 25 }, 1001)).toBeUndefined();
    const p = takeEarly('/customers', { limit: 25, q: 'wxm', cursor: undefined }, 1001);
    await expect(p).resolves.toEqual({ items: [], next_cursor: null });
    expect(takeEarly('/customers', { q: 'wxm', limit: 25 }, 1002)).toBeUndefined();
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('drop an answer nobody took in time, and keep a failure for the taker', async () => {
    vi.stubGlobal('document', { cookie: '' });
    vi.stubGlobal('fetch', async () =>
      new Response('{"title":"Authentication required","status":401}', {
        status: 401,
        headers: { 'content-type': 'application/problem+json' },
      }),
    );
    startEarly('/auth/me', undefined, 0);
    expect(takeEarly('/auth/me', undefined, 10_001)).toBeUndefined();
    startEarly('/auth/me', undefined, 0);
    await expect(takeEarly('/auth/me', undefined, 5)).rejects.toMatchObject({ status: 401 });
  });
});

describe('settleEarly', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('returns the answers that arrived and leaves failures for takeEarly', async () => {
    vi.stubGlobal('document', { cookie: '' });
    vi.stubGlobal('fetch', async (url: string) =>
      url.includes('/auth/me')
        ? new Response('{"status":401}', { status: 401, headers: { 'content-type': 'application/problem+json' } })
        : new Response('{"items":[1]}', { status: 200, headers: { 'content-type': 'application/json' } }),
    );
    startEarly('/auth/me');
    startEarly('/customers', { limit: 25 });
    const got = await settleEarly(5_000);
    expect([...got]).toEqual([[earlyKey('/customers', { limit: 25 }), { items: [1] }]]);
    expect(takeEarly('/customers', { limit: 25 })).toBeUndefined();
    await expect(takeEarly('/auth/me')).rejects.toMatchObject({ status: 401 });
  });

  it('gives up after the wait and keeps a slow answer for takeEarly', async () => {
    vi.stubGlobal('document', { cookie: '' });
    let answer: (r: Response) => void = () => {};
    vi.stubGlobal('fetch', () => new Promise<Response>((resolve) => (answer = resolve)));
    startEarly('/auth/me');
    const got = await settleEarly(0);
    expect(got.size).toBe(0);
    const later = takeEarly('/auth/me');
    expect(later).toBeDefined();
    answer(new Response('{"id":1}', { status: 200, headers: { 'content-type': 'application/json' } }));
    await expect(later).resolves.toEqual({ id: 1 });
  });
});

describe('dropEarly', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('forgets the answers of the previous session', () => {
    vi.stubGlobal('document', { cookie: '' });
    vi.stubGlobal('fetch', async () => new Response(null, { status: 204 }));
    startEarly('/customers', { limit: 25 });
    dropEarly();
    expect(takeEarly('/customers', { limit: 25 })).toBeUndefined();
  });
});
