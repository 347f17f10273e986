import { isAsyncIterable } from '../core/payload';

const encoder = new TextEncoder();

/**
 * Streams `{"key":…,…,"meta":…}` compactly, writing lazily-produced lists item by item (§2.13): the body
 * starts with the first key, lists are never buffered whole, and `meta` comes last. A failure mid-stream
 * aborts the body so the client sees it truncated.
 */
export function streamPayload(payload: Record<string, unknown>, meta: () => object): ReadableStream<Uint8Array> {
  const keys = Object.keys(payload);
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      try {
        let out = '{';
        const flush = () => {
          if (out.length > 0) controller.enqueue(encoder.encode(out));
          out = '';
        };
        for (const key of keys) {
          const value = payload[key];
          if (value === undefined) continue;
          out += `${JSON.stringify(key)}:`;
          if (isAsyncIterable(value)) {
            out += '[';
            let first = true;
            for await (const item of value) {
              out += (first ? '' : ',') + JSON.stringify(item);
              first = false;
              if (out.length > 16_384) flush();
            }
            out += ']';
          } else {
            out += JSON.stringify(value);
          }
          out += ',';
        }
        out += `"meta":${JSON.stringify(meta())}}`;
        flush();
        controller.close();
      } catch (e) {
        console.error('stream aborted', e instanceof Error ? e.message : String(e));
        controller.error(e);
      }
    },
  });
}
