// A clone has only what the repository holds: the README and the API description link to files in it, and
// every such link resolves (a newcomer's first reading must not lead outside the clone or to nothing).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Document → whether it has links (a guard against a link pattern that silently matches nothing). */
const DOCS = { 'README.md': true, 'docs/api.md': true, 'CONTRIBUTING.md': false };
const LINK = /\]\(([^)\s]+)\)/g;

for (const [doc, hasLinks] of Object.entries(DOCS)) {
  test(`${doc} links only to files of the repository, all present`, () => {
    const text = fs.readFileSync(path.join(ROOT, doc), 'utf8');
    const links = [...text.matchAll(LINK)].map((m) => m[1]);
    assert.equal(links.length > 0, hasLinks, 'links found');
    for (const link of links) {
      assert.doesNotMatch(link, /^[a-z]+:/i, `${doc}: ${link} leaves the repository`);
      const target = path.resolve(path.dirname(path.join(ROOT, doc)), link.split('#')[0]);
      assert.ok(target.startsWith(ROOT), `${doc}: ${link} points outside the repository`);
      assert.ok(fs.existsSync(target), `${doc}: ${link} does not exist`);
    }
    assert.doesNotMatch(text, /shared\/spec/, `${doc} refers to shared/spec, which a clone does not have`);
  });
}
