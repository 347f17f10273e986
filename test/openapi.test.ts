// GET /openapi.json and what it is generated from: the method table, the routes and src/openapi/method-docs.ts.
// (Its validity as OpenAPI 3.1, its JSON Schemas and real answers are checked in Node: test/e2e/openapi.e2e.ts.)
import { describe, expect, it } from 'vitest';
import { validateParams } from '../src/core/params';
import { DEFAULT_LIMITS } from '../src/core/limits';
import { coerceQuery } from '../src/api/query-coercion';
import { PUBLIC_ROUTES, USER_ROUTES } from '../src/api/routes';
import { METHODS } from '../src/methods';
import { buildOpenApi, updateBodySchema, withServer } from '../src/openapi/document';
import { BATCH_DOC, METHOD_DOCS } from '../src/openapi/method-docs';
import { asQueryString } from './example-query';
import { BASE, call } from './helpers';

const doc = buildOpenApi() as { paths: Record<string, Record<string, Record<string, unknown>>> };
const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([verb, op]) => ({ path, verb, op })));
const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');

describe('GET /openapi.json', () => {
  it('answers without a token with the document built from the method table, naming this server', async () => {
    const res = await call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body).toEqual(withServer(doc, BASE, 'This server'));
  });
});

describe('the generated document', () => {
  it('documents every method of the table, and only those', () => {
    const documented = new Set(operations.map(({ op }) => op['x-pryv-method']).filter(Boolean));
    expect([...documented].sort()).toEqual([...METHODS.keys()].sort());
    // callBatch has its own operation (its params are a list of calls), the others an entry in METHOD_DOCS.
    expect(Object.keys(METHOD_DOCS).sort()).toEqual([...METHODS.keys()].filter((id) => id !== 'callBatch').sort());
  });

  it('has an operation for every user route and public route, with its verb', () => {
    for (const route of USER_ROUTES) {
      const op = doc.paths[openApiPath(`/{username}/${route.path.join('/')}`)]?.[route.verb.toLowerCase()];
      expect(op, `${route.verb} /{username}/${route.path.join('/')}`).toBeDefined();
      if (route.method) expect(op['x-pryv-method']).toBe(route.method);
    }
    for (const route of PUBLIC_ROUTES) {
      expect(doc.paths[openApiPath(route.path)]?.[route.verb.toLowerCase()]?.['x-pryv-method']).toBe(route.method);
    }
  });

  it('gives every operation a unique operationId', () => {
    const ids = operations.map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('documents the writable fields of each update method, read from its create schema', () => {
    for (const [id, docOf] of Object.entries(METHOD_DOCS)) {
      if (!docOf.update) continue;
      expect(USER_ROUTES.find((r) => r.method === id)?.source, id).toBe('update');
      expect(() => validateParams(updateBodySchema(id), docOf.example), id).not.toThrow();
      // An unknown field is refused, as the server's closed update schemas do; profile sets take any key.
      if ('anyKeys' in docOf.update) expect(() => validateParams(updateBodySchema(id), { anyKey: 1 }), id).not.toThrow();
      else expect(() => validateParams(updateBodySchema(id), { notAField: 1 }), id).toThrow();
    }
  });

  it('has example requests that the methods accept, assembled as their routes assemble them', () => {
    const checked = new Set<string>();
    for (const route of [...USER_ROUTES, ...PUBLIC_ROUTES]) {
      const example = route.method ? METHOD_DOCS[route.method]?.example : undefined;
      if (example === undefined || route.method === undefined) continue;
      const def = METHODS.get(route.method)!;
      // Body routes merge their path params into the body (`POST /reg/access/:key`).
      const segments = typeof route.path === 'string' ? route.path.split('/') : route.path;
      const pathParams = Object.fromEntries(segments.filter((p) => p.startsWith(':')).map((p) => [p.slice(1), 'x']));
      if (route.source === 'body') expect(() => validateParams(def.params, { ...(example as object), ...pathParams }), route.method).not.toThrow();
      if (route.source === 'query') {
        const params = { ...coerceQuery(asQueryString(example as Record<string, unknown>), def.params, DEFAULT_LIMITS.jsonDepth), ...(route.path.includes(':id') ? { id: 'x' } : {}) };
        expect(() => validateParams(def.params, params), route.method).not.toThrow();
      }
      // Update routes give `{id, update}`, or `{update}` where the path names no item (account, profile sets).
      const id = route.path.includes(':id') ? { id: 'x' } : {};
      if (route.source === 'update') expect(() => validateParams(def.params, { ...id, update: example }), route.method).not.toThrow();
      checked.add(route.method);
    }
    const withExamples = Object.entries(METHOD_DOCS).filter(([, d]) => d.example !== undefined).map(([id]) => id);
    expect([...checked].sort()).toEqual(withExamples.sort());
    for (const item of BATCH_DOC.example) expect(() => validateParams(METHODS.get(item.method)!.params, item.params), item.method).not.toThrow();
  });
});
