// `npm start -- …` arguments (scripts/start-args.mjs): the flags the dev-server launcher sets itself are read
// out of the pass-through arguments, so wrangler never sees one twice; everything else passes unchanged.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_IP, DEFAULT_PORT, parseStartArgs, StartArgsError } from '../../scripts/start-args.mjs';

test('no arguments and no PORT: the default port on loopback, nothing passed through', () => {
  assert.deepEqual(parseStartArgs([], {}), { port: DEFAULT_PORT, ip: DEFAULT_IP, extraArgs: [] });
});

test('PORT from the environment still picks the port', () => {
  assert.equal(parseStartArgs([], { PORT: '8790' }).port, 8790);
});

test('--port N and --port=N both pick the port and are not passed through; --port wins over PORT', () => {
  assert.deepEqual(parseStartArgs(['--port', '9000'], { PORT: '8790' }), { port: 9000, ip: DEFAULT_IP, extraArgs: [] });
  assert.deepEqual(parseStartArgs(['--port=9001'], {}), { port: 9001, ip: DEFAULT_IP, extraArgs: [] });
});

test('--ip, --log-level and --persist-to become launcher options in either form', () => {
  assert.deepEqual(parseStartArgs(['--ip', '0.0.0.0', '--log-level=debug', '--persist-to', '/tmp/state'], {}), {
    port: DEFAULT_PORT,
    ip: '0.0.0.0',
    logLevel: 'debug',
    stateDir: '/tmp/state',
    extraArgs: [],
  });
});

test('other wrangler flags pass through unchanged and in order, values included', () => {
  const args = ['--var', 'TRUSTED_APPS:my-app@https://app.example.org*', '--port', '9000', '--inspector-port=9229', '--live-reload'];
  assert.deepEqual(parseStartArgs(args, {}).extraArgs, ['--var', 'TRUSTED_APPS:my-app@https://app.example.org*', '--inspector-port=9229', '--live-reload']);
});

test('a launcher flag without a value, given twice, or a bad port is refused with a message naming it', () => {
  assert.throws(() => parseStartArgs(['--port'], {}), (e) => e instanceof StartArgsError && /--port expects a value/.test(e.message));
  assert.throws(() => parseStartArgs(['--port', '--live-reload'], {}), /--port expects a value/);
  assert.throws(() => parseStartArgs(['--port=', '1'], {}), /--port expects a value/);
  assert.throws(() => parseStartArgs(['--port', '9000', '--port=9001'], {}), /--port was given more than once/);
  assert.throws(() => parseStartArgs(['--port', 'http'], {}), /--port must be a port number/);
  assert.throws(() => parseStartArgs(['--port', '70000'], {}), /--port must be a port number/);
  assert.throws(() => parseStartArgs([], { PORT: 'abc' }), /PORT must be a port number/);
});

test('another wrangler config is refused: the launcher always runs wrangler.toml', () => {
  for (const args of [['-c', 'other.toml'], ['-c=other.toml'], ['--config', 'other.toml'], ['--config=other.toml']]) {
    assert.throws(() => parseStartArgs(args, {}), /is not supported: npm start always runs wrangler.toml/);
  }
});
