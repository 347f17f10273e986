import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import worker from '../src/index';
import type { Env } from '../src/env';

/** Requests go to the Worker's own fetch handler inside workerd, with real D1, KV and R2 from miniflare. */
export const BASE = 'http://127.0.0.1:8787';

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface CallOptions {
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
  /**
   * Variables to override for this request (e.g. `{DOMAIN: 'example.test'}`): the Worker's fetch handler is then
   * called directly with the real bindings plus these, and the call waits for its `waitUntil` work.
   */
  vars?: Partial<Env> | Record<string, unknown>;
}

export async function call<T = any>(method: string, path: string, opts: CallOptions = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== undefined) headers.Authorization = opts.token;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const url = path.startsWith('http') ? path : `${BASE}${path}`;
  let res: Response;
  if (opts.vars) {
    const ctx = createExecutionContext();
    res = await worker.fetch(new Request(url, { method, headers, body }), { ...env, ...opts.vars }, ctx);
    await waitOnExecutionContext(ctx);
  } else {
    res = await SELF.fetch(url, { method, headers, body });
  }
  const text = await res.text();
  let parsed: any = undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

let counter = 0;

/** A fresh account (unique per call) and its personal token from registration. */
export async function newUser(prefix = 'user'): Promise<{ username: string; token: string; apiEndpoint: string; password: string }> {
  counter += 1;
  const username = `${prefix}${Date.now().toString(36)}${counter}`.slice(0, 40);
  const password = 'secret-password';
  const res = await call('POST', '/reg/users', {
    body: { appId: 'test-app', username, password, email: `${username}@example.org` },
  });
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${res.text}`);
  const token = new URL(res.body.apiEndpoint).username;
  return { username, token, apiEndpoint: res.body.apiEndpoint, password };
}

/** Calls a batch of methods with a token and returns the results array. */
export async function batch(username: string, token: string, calls: { method: string; params: unknown }[]): Promise<any[]> {
  const res = await call('POST', `/${username}/`, { token, body: calls });
  if (res.status !== 200) throw new Error(`batch failed: ${res.status} ${res.text}`);
  return res.body.results;
}
