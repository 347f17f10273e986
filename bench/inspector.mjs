// The Worker isolate's V8 heap, read through wrangler dev's inspector proxy (Chrome DevTools Protocol).
// It tells the Worker's own memory (its JS objects and ArrayBuffers) apart from the process RSS around it.

/** How long one inspector call may take before it is reported as missing (the Worker may be busy). */
const CALL_TIMEOUT_MS = 5000;

/**
 * Connects to `ws://127.0.0.1:<port>/ws`. The proxy refuses a WebSocket without an `Origin` from a local
 * host, hence the header (Node's WebSocket takes `headers` as an extension of the standard constructor).
 */
export async function connectInspector(port) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { origin: 'http://127.0.0.1' } });
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error(`inspector on port ${port} refused the connection`));
  });
  let nextId = 0;
  const pending = new Map();
  ws.onmessage = (message) => {
    const data = JSON.parse(String(message.data));
    // The proxy also forwards events and wrangler's own calls (other ids); only our answers are awaited.
    if (pending.has(data.id)) {
      pending.get(data.id)(data);
      pending.delete(data.id);
    }
  };
  const call = (method, params) =>
    new Promise((resolve) => {
      const id = ++nextId;
      const timer = setTimeout(() => {
        pending.delete(id);
        resolve(null);
      }, CALL_TIMEOUT_MS);
      pending.set(id, (data) => {
        clearTimeout(timer);
        resolve(data.result ?? null);
      });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    /** {usedMB, totalMB, externalMB} of the Worker isolate, or null when the inspector did not answer in time. */
    async heap() {
      const r = await call('Runtime.getHeapUsage');
      if (!r) return null;
      return { usedMB: mb(r.usedSize), totalMB: mb(r.totalSize), externalMB: mb(r.backingStorageSize ?? 0) };
    },
    /** Starts V8's sampling CPU profiler in the Worker isolate. */
    async startProfile() {
      await call('Profiler.enable');
      await call('Profiler.setSamplingInterval', { interval: 200 });
      await call('Profiler.start');
    },
    /** Stops it: the CPU profile (Chrome DevTools format), or null when the inspector did not answer. */
    async stopProfile() {
      const r = await call('Profiler.stop');
      return r?.profile ?? null;
    },
    close() {
      ws.close();
    },
  };
}

const mb = (bytes) => Math.round((bytes / 2 ** 20) * 10) / 10;
