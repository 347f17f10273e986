// Checks against the OpenAPI document for the end-to-end tests, in Node: the document itself with an OpenAPI
// validator, values with the JSON Schemas it holds (ajv compiles schemas to code, which workerd forbids).
// Plain JS (typed by openapi-check.d.mts) because the TypeScript project has no Node typings.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import { ROOT } from '../../scripts/dev-server.mjs';

export function readCommittedOpenApi() {
  return JSON.parse(readFileSync(path.join(ROOT, 'docs', 'openapi.json'), 'utf8'));
}

/** `{valid, version, errors}` from @seriousme/openapi-schema-validator. */
export async function validateOpenApi(doc) {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(doc));
  return { valid: result.valid, version: validator.version, errors: result.errors };
}

const DOC_ID = 'openapi.json';
const pointer = (segments) => segments.map((s) => encodeURIComponent(String(s).replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');

/**
 * A checker of values against the schemas inside `doc`: `check(['paths', '/x', 'get', …], value)` answers null
 * when the value is valid, else ajv's errors. Schemas are found by JSON pointer, so `$ref`s resolve in `doc`.
 */
export function schemaChecker(doc) {
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateSchema: false });
  ajv.addSchema(doc, DOC_ID);
  return (segments, value) => {
    const validate = ajv.getSchema(`${DOC_ID}#/${pointer(segments)}`);
    if (!validate) throw new Error(`no schema at /${segments.join('/')}`);
    return validate(value) ? null : validate.errors;
  };
}
