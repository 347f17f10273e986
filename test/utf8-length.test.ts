import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8Length } from '../src/lib/utf8';

const encoded = (text: string) => new TextEncoder().encode(text).length;

describe('utf8Length', () => {
  it('counts 1, 2, 3 and 4-byte characters as UTF-8 encodes them', () => {
    for (const text of ['', 'abc', 'é', 'Zürich', '€', '日本語', '😀', 'a😀b€c', '\u007f\u0080\u07ff\u0800\uffff']) {
      expect(utf8Length(text), text).toBe(encoded(text));
    }
  });

  it('equals the encoded size of any JSON text', () => {
    fc.assert(fc.property(fc.jsonValue({ stringUnit: 'binary' }), (value) => {
      const text = JSON.stringify(value) ?? '';
      expect(utf8Length(text)).toBe(encoded(text));
    }));
  });
});
