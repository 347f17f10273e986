import { err } from '../core/errors';

const RESERVED = new Set(['null', 'undefined', '*']);

/** Slugification of given stream ids and custom tokens (§10). */
export function slugify(value: string): string {
  if (RESERVED.has(value) || value.startsWith(':')) throw err.invalidItemId();
  const slug = value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length === 0) throw err.invalidItemId();
  if (slug.length > 100) throw err.paramsFormat('The id is longer than 100 characters.');
  return slug;
}
