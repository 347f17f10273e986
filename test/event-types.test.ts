/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import { checkEventContent, directoryEtag, isKnownType } from '../src/event-types';
import { call } from './helpers';

// The pack sources, bundled by vite at test time (workerd has no file system).
const packFiles = import.meta.glob('../event-types/*/classes/*.json', { eager: true, import: 'default' }) as Record<
  string,
  Record<string, { formats: Record<string, { examples: unknown[]; counterExamples?: unknown[] }> }>
>;
const formats = Object.entries(packFiles).flatMap(([file, doc]) =>
  Object.entries(doc).flatMap(([cls, c]) => Object.entries(c.formats).map(([fmt, def]) => ({ file, type: `${cls}/${fmt}`, def }))),
);

function issues(type: string, content: unknown) {
  const result = checkEventContent(type, content);
  if (!result.known) throw new Error(`${type} should be known`);
  return result.issues;
}

describe('event-type registry: every pack definition, as the Worker validates it', () => {
  it('loads every type of every pack, including both packs', () => {
    expect(formats.length).toBe(360);
    expect(formats.every(({ type }) => isKnownType(type))).toBe(true);
  });

  it('accepts every example and rejects every counter-example', () => {
    for (const { file, type, def } of formats) {
      def.examples.forEach((example, i) => expect(issues(type, example), `${file} ${type} examples[${i}]`).toEqual([]));
      (def.counterExamples ?? []).forEach((example, i) => expect(issues(type, example).length, `${file} ${type} counterExamples[${i}]`).toBeGreaterThan(0));
    }
  });
});

describe('event content validation (spec §9.2)', () => {
  it('reports unknown well-formed types as unknown, without validating', () => {
    expect(checkEventContent('my-app/whatever', { any: 'thing' })).toEqual({ known: false });
    expect(checkEventContent('mass/stone-age', 'x')).toEqual({ known: false });
  });

  it('does not coerce: a numeric string is not a number, "true" is not a boolean', () => {
    expect(issues('mass/kg', 72.4)).toEqual([]);
    expect(issues('mass/kg', '90')).toEqual([{ path: 'content', rule: 'type', message: 'must be of type number (got string)' }]);
    expect(issues('boolean/bool', 'true')).toMatchObject([{ path: 'content', rule: 'type' }]);
  });

  it('treats absent content as null: required for number types, the only content of null types', () => {
    expect(issues('mass/kg', undefined)).toMatchObject([{ path: 'content', rule: 'type' }]);
    expect(issues('activity/plain', undefined)).toEqual([]);
    expect(issues('activity/plain', null)).toEqual([]);
    expect(issues('activity/plain', {})).toEqual([{ path: 'content', rule: 'type', message: 'must be absent or null (got object)' }]);
  });

  it('does not enforce attachmentRequired (advisory, §8.3 #45)', () => {
    expect(issues('picture/attached', undefined)).toEqual([]);
    expect(issues('clinical/fhir', { displayName: 'A1c', clinicalType: 'labResultRecord', fhir: { identifier: 'x', resourceType: 'observation' } })).toEqual([]);
  });

  it('reports missing required members and wrong member types with their JSON path', () => {
    expect(issues('position/wgs84', { latitude: '46.5', altitude: 495 })).toEqual([
      { path: 'content.longitude', rule: 'required', message: 'is required' },
      { path: 'content.latitude', rule: 'type', message: 'must be of type number (got string)' },
    ]);
  });

  it('checks integer, minimum and maximum', () => {
    expect(issues('stress/level-10', 3)).toEqual([]);
    expect(issues('stress/level-10', 3.5)).toMatchObject([{ rule: 'type' }]);
    expect(issues('stress/level-10', 11)).toMatchObject([{ rule: 'maximum' }]);
    expect(issues('mood/rating', -0.1)).toMatchObject([{ rule: 'minimum' }]);
  });

  it('checks enum, pattern, minLength and maxLength (in characters, not UTF-16 units)', () => {
    expect(issues('symptoms/severity', 'bad')).toMatchObject([{ path: 'content', rule: 'enum' }]);
    expect(issues('url/http', 'ftp://example.org')).toMatchObject([{ rule: 'pattern' }]);
    expect(issues('message/chat-cmc', { content: '' })).toMatchObject([{ path: 'content.content', rule: 'minLength' }]);
    expect(issues('note/txt', 'x'.repeat(4_194_305))).toMatchObject([{ rule: 'maxLength' }]);
    expect(issues('note/txt', '😀'.repeat(4_194_304))).toEqual([]); // 4,194,304 characters, twice as many UTF-16 units
  });

  it('checks items with indexed paths, minItems and maxItems', () => {
    expect(issues('wellbeing/gratitude', ['ok', ''])).toEqual([{ path: 'content[1]', rule: 'minLength', message: 'must have at least 1 characters' }]);
    expect(issues('wellbeing/gratitude', [])).toMatchObject([{ rule: 'minItems' }]);
    expect(issues('wellbeing/gratitude', ['a', 'b', 'c', 'd'])).toMatchObject([{ rule: 'maxItems' }]);
    expect(issues('audiogram/data', { sensitivityPoints: [{ frequency: 500 }, { leftEarSensitivity: 3 }], start: 'a', end: 'b' })).toEqual([
      { path: 'content.sensitivityPoints[1].frequency', rule: 'required', message: 'is required' },
    ]);
  });

  it('checks additionalProperties: false and patternProperties', () => {
    expect(issues('wellbeing/who-5', { cheerful: 4, calm: 3, active: 3, rested: 2, interested: 4, total: 16 })).toEqual([
      { path: 'content.total', rule: 'additionalProperties', message: 'is not allowed' },
    ]);
    expect(issues('numset/*', { '/rate/frequency/bpm': 88 })).toEqual([]);
    expect(issues('numset/*', { '/rate/frequency/bpm': '88', rate: 88 })).toEqual([
      { path: 'content["/rate/frequency/bpm"]', rule: 'type', message: 'must be of type number (got string)' },
      { path: 'content.rate', rule: 'additionalProperties', message: 'is not allowed' },
    ]);
  });

  it('checks oneOf: a permission must match exactly one of its shapes', () => {
    const base = { to: 'x', request: { title: {}, description: {}, consent: {}, permissions: [] as unknown[] } };
    base.request.permissions = [{ streamId: 'sleep', level: 'read' }, { feature: 'selfRevoke', setting: 'forbidden' }];
    expect(issues('consent/request-cmc', base)).toEqual([]);
    base.request.permissions = [{ streamId: 'sleep', level: 'write' }];
    expect(issues('consent/request-cmc', base)).toMatchObject([{ path: 'content.request.permissions[0]', rule: 'oneOf' }]);
  });

  it('validates the three repaired upstream types (§9.3) instead of rejecting everything', () => {
    expect(issues('contact/facebook', { id: '1', name: 'Anna' })).toEqual([]);
    expect(issues('contact/facebook', { name: 'Anna' })).toMatchObject([{ path: 'content.id', rule: 'required' }]);
    expect(issues('clinical/fhir', { displayName: 'A1c' })).toMatchObject([{ path: 'content.clinicalType', rule: 'required' }]);
    expect(issues('audiogram/data', { sensitivityPoints: [] })).toMatchObject([
      { path: 'content.start', rule: 'required' },
      { path: 'content.end', rule: 'required' },
    ]);
  });
});

describe('directory publication (spec §9.4)', () => {
  it('serves flat.json without a token, in Pryv flat shape, cacheable, with CORS and no meta', async () => {
    const res = await call('GET', '/event-types/flat.json', { headers: { Origin: 'https://app.example.org' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=3600');
    expect(res.headers.get('ETag')).toBe(directoryEtag);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('https://app.example.org');
    expect(Object.keys(res.body)).toEqual(['version', 'types', 'extras', 'classes', 'sets']);
    expect(res.body.version).toBe('1.1.1');
    expect(Object.keys(res.body.types)).toHaveLength(360);
    expect(res.body.types['mass/kg']).toEqual({ description: 'Kilograms', type: 'number' });
    expect(res.body.extras['mass/kg']).toEqual({ name: { en: 'Kilograms', fr: 'Kilogrammes' }, symbol: 'Kg' });
    expect(res.body.classes.mass.description).toBe('The heaviness of an object.');
    expect(res.body.sets['basic-measurements-metric'].types.mass).toEqual(['kg', 'g', 't']);
    expect(res.body.types['contact/facebook'].additionalProperties).toBe(true);
    expect(res.body.types['wellbeing/who-5']).not.toHaveProperty('examples');
  });

  it('answers 304 when If-None-Match holds the current ETag, 200 otherwise', async () => {
    const first = await call('GET', '/event-types/flat.json');
    const etag = first.headers.get('ETag')!;
    const again = await call('GET', '/event-types/flat.json', { headers: { 'If-None-Match': `"other", W/${etag}` } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers.get('ETag')).toBe(etag);
    const stale = await call('GET', '/event-types/flat.json', { headers: { 'If-None-Match': '"other"' } });
    expect(stale.status).toBe(200);
  });

  it('serves the same directory under /reg/ and the one service info points to', async () => {
    const info = await call('GET', '/reg/service/info');
    const path = new URL(info.body.eventTypes).pathname;
    const viaInfo = await call('GET', path);
    const viaReg = await call('GET', '/reg/event-types/flat.json');
    expect(viaInfo.status).toBe(200);
    expect(viaReg.text).toBe(viaInfo.text);
  });

  it('serves the upstream BSD-3-Clause notice as text/plain', async () => {
    const res = await call('GET', '/event-types/LICENSE');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/^Copyright \(c\) 2020–2026 Pryv/);
    expect(res.text).toContain('SPDX-License-Identifier: BSD-3-Clause');
  });
});
