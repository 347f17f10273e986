import { afterEach, beforeEach } from 'vitest';

/**
 * Records what a hook of the call path emits during each test of the file (the Worker runs in the tests'
 * isolate, so its hooks are the ones imported here). `items` is emptied before every test.
 */
export function recordHook<T>(subscribe: (listener: (item: T) => void) => () => void): { items: T[] } {
  const recorder = { items: [] as T[] };
  let stop: () => void = () => undefined;
  beforeEach(() => {
    recorder.items = [];
    stop = subscribe((item) => recorder.items.push(item));
  });
  afterEach(() => stop());
  return recorder;
}
