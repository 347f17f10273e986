// A real HTTP receiver for webhook tests and the webhook bench, on loopback (Node code, typed by webhook-receiver.d.mts).
// POST /hook/{key}?status=N&delayMs=M records the request and answers N (default 200) after M ms;
// GET /log/{key} answers the recorded requests of that key: [{signature, body, time}].
import { createServer } from 'node:http';

export async function startReceiver() {
  const log = new Map();
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://receiver');
    const [, kind, key] = url.pathname.split('/');
    if (req.method === 'GET' && kind === 'log') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(log.get(key) ?? []));
      return;
    }
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const entries = log.get(key) ?? [];
      entries.push({ signature: req.headers['pryv-signature'] ?? null, body, time: Date.now() / 1000 });
      log.set(key, entries);
      const status = Number(url.searchParams.get('status') ?? 200);
      setTimeout(() => {
        res.writeHead(status, { 'Content-Type': 'text/plain' });
        res.end('ok');
      }, Number(url.searchParams.get('delayMs') ?? 0));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}
