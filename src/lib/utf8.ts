/**
 * The UTF-8 size of a string without encoding it: size checks on every request (a stored event, audit
 * messages) spared a `TextEncoder` copy of the whole text each time.
 */

/** Bytes of `text` in UTF-8 (a lone surrogate counted as 2, where an encoder writes 3: JSON never has one). */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) continue;
    // 2 bytes below U+0800; 3 for the rest of the BMP; a surrogate pair (2 units) is 4.
    bytes += unit < 0x800 || (unit >= 0xd800 && unit <= 0xdfff) ? 1 : 2;
  }
  return bytes;
}
