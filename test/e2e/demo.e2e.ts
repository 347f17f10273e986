// `npm run demo` against a running server, as a newcomer uses it: it creates a demo account and prints a share
// link that opens as a page, tokens that work, a shared access narrowed to a tag and a time frame, and curl
// calls that answer when pasted. Without a server it says how to start one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, removeDir, startDevServer, tempStateDir, type DevServer } from '../../scripts/dev-server.mjs';
import { runScript, runShell, type CommandResult } from './run-command.mjs';

const DAY = 86_400;
/** What scripts/demo-data.mjs shares: events tagged "coach", over the last 14 days. */
const SHARED_TAG = 'coach';
const SHARED_DAYS = 14;

let server: DevServer;
let stateDir: string;
let demo: CommandResult;
let startedAt: number;
let finishedAt: number;

const field = (name: string): string => {
  const match = demo.stdout.match(new RegExp(`^\\s+${name}\\s+(\\S+)`, 'm'));
  if (!match) throw new Error(`the demo printed no "${name}":\n${demo.stdout}\n${demo.stderr}`);
  return match[1];
};

async function getJson(path: string, token: string): Promise<any> {
  const res = await fetch(`${server.url}${path}`, { headers: { Authorization: token } });
  expect(res.status, path).toBe(200);
  return res.json();
}

beforeAll(async () => {
  // The one e2e server that migrates its own empty state, as `npm start` does (the others start on a copy of the
  // run's migrated state, test/e2e/migrated-state.ts).
  stateDir = tempStateDir();
  server = await startDevServer({ stateDir, vars: { TOKEN_KEY: 'e2e-token-key-not-secret' } });
  startedAt = Date.now() / 1000;
  demo = await runScript('demo.mjs', ['--port', String(server.port)]);
  finishedAt = Date.now() / 1000;
});

afterAll(async () => {
  await server?.stop();
  if (stateDir) removeDir(stateDir);
});

describe('npm run demo', () => {
  it('prints a share link that opens as the read-only page of the shared access', async () => {
    expect(demo.status, demo.stderr).toBe(0);
    const shareUrl = field('share link');
    expect(shareUrl).toMatch(new RegExp(`^${server.url}/s/[A-Za-z0-9_-]{22,}$`));
    const res = await fetch(shareUrl, { headers: { Accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('Coach: activity and weight, last two weeks');
    expect(html).toContain(field('username'));
  });

  it('prints the personal token of a new account holding a stream tree and weeks of typed, tagged events', async () => {
    const username = field('username');
    const token = field('token');
    const info = await getJson(`/${username}/access-info`, token);
    expect(info).toMatchObject({ type: 'personal', user: { username } });
    const { streams } = await getJson(`/${username}/streams`, token);
    expect(streams.map((s: any) => s.id).sort()).toEqual(['diary', 'health']);
    expect(streams.find((s: any) => s.id === 'health').children.map((s: any) => s.id)).toEqual(['activity', 'sleep', 'weight']);
    const { events } = await getJson(`/${username}/events?fromTime=0&sortAscending=true`, token);
    expect(new Set(events.map((e: any) => e.type))).toEqual(new Set(['count/steps', 'mass/kg', 'note/txt', 'sleep/quality-5']));
    expect(events.every((e: any) => e.tags.length > 0)).toBe(true);
    expect(startedAt - events[0].time).toBeGreaterThan(SHARED_DAYS * DAY); // weeks of history, beyond the shared window
  });

  it('shares only the events tagged for the coach over the last two weeks', async () => {
    const username = field('username');
    const { accesses } = await getJson(`/${username}/accesses`, field('token'));
    const access = accesses.find((a: any) => a.token === field('its token'));
    expect(access).toMatchObject({ type: 'shared', permissions: [{ streamId: 'health', level: 'read', tags: [SHARED_TAG] }] });
    const { fromTime } = access.permissions[0];
    // Two weeks before the demo ran.
    expect(fromTime).toBeGreaterThanOrEqual(startedAt - SHARED_DAYS * DAY);
    expect(fromTime).toBeLessThanOrEqual(finishedAt - SHARED_DAYS * DAY);
    const all = (await getJson(`/${username}/events?fromTime=0`, field('token'))).events;
    const shared = (await getJson(`/${username}/events?fromTime=0`, field('its token'))).events;
    const expected = all.filter((e: any) => e.tags.includes(SHARED_TAG) && e.time >= fromTime);
    expect(shared.length).toBeGreaterThan(0);
    expect(shared.length).toBeLessThan(all.filter((e: any) => e.tags.includes(SHARED_TAG)).length);
    expect(shared.map((e: any) => e.id).sort()).toEqual(expected.map((e: any) => e.id).sort());
  });

  it('prints curl calls that answer without an error when pasted', async () => {
    const lines = demo.stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('curl '));
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const line of lines) {
      const out = await runShell(line);
      expect(out.status, line).toBe(0);
      const body = JSON.parse(out.stdout);
      expect(body.error, line).toBeUndefined();
    }
  });

  it('says how to start a server when none answers', async () => {
    const port = await freePort();
    const out = await runScript('demo.mjs', [`--port=${port}`]);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain(`no server answers on http://127.0.0.1:${port}: start it with \`npm start\``);
  });
});
