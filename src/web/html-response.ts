/**
 * The server-rendered pages' answers (share page, consent page): never cached, indexed or referred from, never
 * framed, and a Content-Security-Policy that lets nothing run: the one inline stylesheet is allowed by its hash
 * (no 'unsafe-inline', no external resource, no script).
 */
import type { HtmlEscapedString } from 'hono/utils/html';

const hashes = new Map<string, Promise<string>>();

/** `'sha256-…'` of a stylesheet, computed once per isolate (the pages have a handful of constant sheets). */
export function cssHash(css: string): Promise<string> {
  let hash = hashes.get(css);
  if (!hash) {
    hash = crypto.subtle.digest('SHA-256', new TextEncoder().encode(css)).then((d) => {
      let s = '';
      for (const b of new Uint8Array(d)) s += String.fromCharCode(b);
      return `'sha256-${btoa(s)}'`;
    });
    hashes.set(css, hash);
  }
  return hash;
}

export interface PageOptions {
  /** The page's stylesheet (inlined in its `<style>`). */
  css: string;
  /** Where images may come from: CSP sources; inline (`data:`) only by default. */
  images?: string[];
  /** Where the page's forms may submit, and be redirected to afterwards: CSP sources; none by default. */
  formAction?: string[];
  headers?: Record<string, string>;
}

export async function htmlResponse(page: HtmlEscapedString | Promise<HtmlEscapedString>, status: number, options: PageOptions): Promise<Response> {
  const html = `<!doctype html>${await page}`;
  const formAction = options.formAction?.length ? options.formAction.join(' ') : "'none'";
  return new Response(html, {
    status,
    headers: {
      ...options.headers,
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Robots-Tag': 'noindex, nofollow',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Content-Security-Policy': `default-src 'none'; style-src ${await cssHash(options.css)}; img-src ${(options.images ?? ['data:']).join(' ')}; base-uri 'none'; form-action ${formAction}; frame-ancestors 'none'`,
    },
  });
}
