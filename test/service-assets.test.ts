import { describe, expect, it } from 'vitest';
import { call } from './helpers';

/** Service assets: service info names an index.json the Worker serves itself, from the repository's assets/ folder. */
describe('service assets', () => {
  it('service info points at the Worker\'s own /assets/index.json, which holds favicon, CSS and login-button definitions', async () => {
    const info = await call('GET', '/reg/service/info');
    expect(info.body.assets).toEqual({ definitions: 'http://127.0.0.1:8787/assets/index.json' });
    const index = await call('GET', '/assets/index.json', { headers: { Origin: 'https://app.example.org' } });
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/application\/json/);
    expect(index.headers.get('access-control-allow-origin')).toBe('https://app.example.org');
    expect(index.body).toMatchObject({
      favicon: { default: { url: 'favicon.ico' } },
      css: { default: { url: expect.any(String) } },
      'lib-js': { buttonSignIn: { html: expect.any(String), css: expect.any(String), messages: expect.any(String) } },
    });
  });

  it('serves every file index.json names, relative to it', async () => {
    const { body } = await call('GET', '/assets/index.json');
    const button = body['lib-js'].buttonSignIn;
    const files: [string, RegExp][] = [
      [body.favicon.default.url, /image\/(x-icon|vnd\.microsoft\.icon)/],
      [body.css.default.url, /text\/css/],
      [button.css, /text\/css/],
      [button.html, /text\/html/],
      [button.messages, /application\/json/],
    ];
    for (const [file, type] of files) {
      const res = await call('GET', `/assets/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type'), file).toMatch(type);
    }
    expect((await call('GET', `/assets/${button.html}`)).text).toContain('id="pryv-access-btn-text"');
    expect((await call('GET', `/assets/${button.messages}`)).body).toMatchObject({ LOGIN: { en: expect.any(String) }, ERROR: { en: expect.any(String) } });
  });

  it('an unknown asset is 404 unknown-resource; the folder is not served outside /assets/', async () => {
    const missing = await call('GET', '/assets/nothing-here.txt');
    expect(missing.status).toBe(404);
    expect(missing.body.error.id).toBe('unknown-resource');
    expect((await call('GET', '/index.json')).status).toBe(404);
    expect((await call('GET', '/favicon.ico')).status).toBe(404);
  });

  it('the operator can announce other assets (ASSETS_URL)', async () => {
    const other = 'https://assets.example.org/brand/index.json';
    const info = await call('GET', '/reg/service/info', { vars: { ASSETS_URL: other } });
    expect(info.body.assets).toEqual({ definitions: other });
  });
});
