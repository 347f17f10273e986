#!/usr/bin/env node
// Compiles the event-type packs in event-types/ into the module the Worker imports
// (src/event-types/generated/directory.ts) and the catalogue (docs/event-types.md).
//
//   node scripts/build-event-types.mjs              write the generated files
//   node scripts/build-event-types.mjs --check      fail if a pack is invalid or the generated files are stale
//   node scripts/build-event-types.mjs --packs <dir> --out <dir>   build other packs elsewhere (fixtures)
//
// Every failure names the file and the type or JSON path at fault. See CONTRIBUTING.md and
// docs/decisions/006-event-type-validation.md.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, childPath, JSON_TYPES, SUPPORTED_KEYWORDS } from '../src/event-types/validator.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MODULE_PATH = 'src/event-types/generated/directory.ts';
const CATALOGUE_PATH = 'docs/event-types.md';
const NAME = /^[a-z0-9-]+$/;
// `*` is kept for upstream's `numset/*`, which documents a family of types and can never match an event (§9.3).
const FORMAT_NAME = /^([a-z0-9-]+|\*)$/;
const MANIFEST_FIELDS = ['name', 'version', 'description', 'license', 'maintainers'];

export class BuildError extends Error {
  constructor(problems) {
    super(`event-types build failed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

function isObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readJson(file, problems) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    problems.push(`${file}: not valid JSON (${e.message})`);
    return undefined;
  }
}

function compilesAsRegExp(source) {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/** Checks one definition against the supported subset (spec §9.1); reports `file: jsonPath: problem`. */
function checkDefinition(def, file, at, problems, isRoot) {
  const bad = (where, what) => problems.push(`${file}: ${where}: ${what}`);
  if (!isObject(def)) return bad(at, 'a definition must be a JSON object');
  for (const [key, value] of Object.entries(def)) {
    const here = childPath(at, key);
    if (isRoot && (key === 'examples' || key === 'counterExamples')) continue;
    if (!SUPPORTED_KEYWORDS.has(key)) {
      bad(here, `unsupported keyword "${key}" (supported: ${[...SUPPORTED_KEYWORDS].join(', ')})`);
      continue;
    }
    switch (key) {
      case 'type': {
        const types = Array.isArray(value) ? value : [value];
        if (types.length === 0 || !types.every((t) => JSON_TYPES.has(t))) bad(here, `must be one of ${[...JSON_TYPES].join(', ')} (or a non-empty array of them)`);
        break;
      }
      case 'description':
        if (typeof value !== 'string') bad(here, 'must be a string');
        break;
      case 'extras':
        if (!isObject(value)) bad(here, 'must be an object');
        break;
      case 'properties':
        if (!isObject(value)) bad(here, 'must be an object of definitions');
        else for (const [k, d] of Object.entries(value)) checkDefinition(d, file, childPath(here, k), problems, false);
        break;
      case 'patternProperties':
        if (!isObject(value)) bad(here, 'must be an object of definitions');
        else
          for (const [k, d] of Object.entries(value)) {
            if (!compilesAsRegExp(k)) bad(childPath(here, k), 'the key is not a valid regular expression');
            checkDefinition(d, file, childPath(here, k), problems, false);
          }
        break;
      case 'required':
        if (!Array.isArray(value) || !value.every((x) => typeof x === 'string') || new Set(value).size !== value.length) bad(here, 'must be an array of distinct strings');
        break;
      case 'enum':
        if (!Array.isArray(value) || value.length === 0) bad(here, 'must be a non-empty array');
        break;
      case 'pattern':
        if (typeof value !== 'string' || !compilesAsRegExp(value)) bad(here, 'must be a valid regular expression string');
        break;
      case 'minimum':
      case 'maximum':
        if (typeof value !== 'number' || !Number.isFinite(value)) bad(here, 'must be a number');
        break;
      case 'minLength':
      case 'maxLength':
      case 'minItems':
      case 'maxItems':
        if (!Number.isInteger(value) || value < 0) bad(here, 'must be a non-negative integer');
        break;
      case 'items':
        checkDefinition(value, file, here, problems, false);
        break;
      case 'additionalProperties':
        if (typeof value === 'boolean') break;
        if (!isObject(value)) bad(here, 'must be a boolean or a definition object');
        else checkDefinition(value, file, here, problems, false);
        break;
      case 'oneOf':
        if (!Array.isArray(value) || value.length === 0) bad(here, 'must be a non-empty array of definitions');
        else value.forEach((d, i) => checkDefinition(d, file, `${here}[${i}]`, problems, false));
        break;
      case 'attachmentRequired':
        if (typeof value !== 'boolean') bad(here, 'must be a boolean');
        break;
    }
  }
}

function describeIssues(issues) {
  return issues.map((i) => `${i.path} ${i.message} [${i.rule}]`).join('; ');
}

/** Proves each example valid and each counter-example invalid with the validator the Worker runs. */
function checkExamples(type, def, file, problems) {
  if (!Array.isArray(def.examples) || def.examples.length === 0) {
    problems.push(`${file}: type ${type}: needs "examples", a non-empty array of valid contents`);
    return;
  }
  if (def.counterExamples !== undefined && !Array.isArray(def.counterExamples)) {
    problems.push(`${file}: type ${type}: "counterExamples" must be an array`);
    return;
  }
  let check;
  try {
    check = compile(def);
  } catch (e) {
    problems.push(`${file}: type ${type}: cannot compile (${e.message})`);
    return;
  }
  def.examples.forEach((example, i) => {
    const issues = [];
    check(example, 'content', issues);
    if (issues.length > 0) problems.push(`${file}: type ${type}: examples[${i}] is invalid: ${describeIssues(issues)}`);
  });
  (def.counterExamples ?? []).forEach((example, i) => {
    const issues = [];
    check(example, 'content', issues);
    if (issues.length === 0) problems.push(`${file}: type ${type}: counterExamples[${i}] is valid but must fail`);
  });
}

function checkManifest(manifest, file, folder, problems) {
  if (!isObject(manifest)) return problems.push(`${file}: must be a JSON object`);
  for (const field of MANIFEST_FIELDS) if (manifest[field] === undefined) problems.push(`${file}: missing "${field}"`);
  if (manifest.name !== folder) problems.push(`${file}: "name" must equal the folder name "${folder}"`);
  if (manifest.maintainers !== undefined && !Array.isArray(manifest.maintainers)) problems.push(`${file}: "maintainers" must be an array`);
}

function checkSetTypes(name, set, file, typeFiles, problems) {
  if (!isObject(set) || !isObject(set.types)) return problems.push(`${file}: set ${name}: needs "types": {class: [format, …]}`);
  for (const [className, formats] of Object.entries(set.types)) {
    for (const format of Array.isArray(formats) ? formats : []) {
      if (!typeFiles.has(`${className}/${format}`)) problems.push(`${file}: set ${name} lists ${className}/${format}, which no pack defines`);
    }
  }
}

/** Loads, checks and merges every pack under `packsDir`; throws BuildError listing all problems. */
export function loadPacks(packsDir) {
  const problems = [];
  const rel = (f) => path.relative(process.cwd(), f) || f;
  const folders = fs.readdirSync(packsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const packs = [];
  for (const folder of folders) {
    const manifestFile = path.join(packsDir, folder, 'pack.json');
    if (!fs.existsSync(manifestFile)) {
      problems.push(`${rel(path.join(packsDir, folder))}: a pack folder needs a pack.json manifest`);
      continue;
    }
    const manifest = readJson(manifestFile, problems);
    if (manifest === undefined) continue;
    checkManifest(manifest, rel(manifestFile), folder, problems);
    packs.push({ folder, dir: path.join(packsDir, folder), manifest });
  }
  const bases = packs.filter((p) => p.manifest.base === true);
  if (bases.length !== 1) problems.push(`${rel(packsDir)}: exactly one pack must have "base": true (found ${bases.length})`);
  packs.sort((a, b) => Number(b.manifest.base === true) - Number(a.manifest.base === true)); // base first, then by name

  const classes = new Map(); // class name -> {description, extras, file, formats: Map(format -> {def, file})}
  const typeFiles = new Map();
  const sets = {};
  const setFiles = new Map();
  const licenses = [];
  for (const pack of packs) {
    const licenseFile = path.join(pack.dir, 'LICENSE');
    licenses.push({ pack, text: fs.existsSync(licenseFile) ? fs.readFileSync(licenseFile, 'utf8') : undefined });
    const classDir = path.join(pack.dir, 'classes');
    const files = fs.existsSync(classDir) ? fs.readdirSync(classDir).filter((f) => f.endsWith('.json')).sort() : [];
    if (files.length === 0) problems.push(`${rel(pack.dir)}: no class files in classes/`);
    for (const name of files) {
      const file = rel(path.join(classDir, name));
      const doc = readJson(path.join(classDir, name), problems);
      if (doc === undefined) continue;
      const className = name.slice(0, -'.json'.length);
      if (!isObject(doc) || Object.keys(doc).length !== 1 || !isObject(doc[className])) {
        problems.push(`${file}: must be {"${className}": {description, extras?, formats}} (one class, named like the file)`);
        continue;
      }
      if (!NAME.test(className)) problems.push(`${file}: class name "${className}" must match ${NAME}`);
      const cls = doc[className];
      for (const key of Object.keys(cls)) if (!['description', 'extras', 'formats'].includes(key)) problems.push(`${file}: $.${className}.${key}: unsupported class field`);
      let entry = classes.get(className);
      if (entry) {
        // Another pack may add formats to an existing class, but the class is described once.
        if (cls.description !== undefined || cls.extras !== undefined) problems.push(`${file}: class "${className}" is already described in ${entry.file}; an extending file lists only "formats"`);
      } else {
        if (typeof cls.description !== 'string') problems.push(`${file}: $.${className}.description: must be a string`);
        if (cls.extras !== undefined && !isObject(cls.extras)) problems.push(`${file}: $.${className}.extras: must be an object`);
        entry = { description: cls.description, extras: cls.extras, file, formats: new Map() };
        classes.set(className, entry);
      }
      if (!isObject(cls.formats)) {
        problems.push(`${file}: $.${className}.formats: must be an object`);
        continue;
      }
      for (const [format, def] of Object.entries(cls.formats)) {
        const type = `${className}/${format}`;
        if (!FORMAT_NAME.test(format)) problems.push(`${file}: format "${format}" must match ${NAME}`);
        const previous = typeFiles.get(type);
        if (previous) {
          problems.push(`type ${type} is defined twice: in ${previous} and in ${file}`);
          continue;
        }
        typeFiles.set(type, file);
        const before = problems.length;
        checkDefinition(def, file, `$.${className}.formats${childPath('', format)}`, problems, true);
        if (problems.length === before) checkExamples(type, def, file, problems);
        entry.formats.set(format, def);
      }
    }
    if (pack.manifest.sets !== undefined) {
      const setsFile = path.join(pack.dir, pack.manifest.sets);
      const doc = readJson(setsFile, problems);
      if (isObject(doc))
        for (const [name, set] of Object.entries(doc)) {
          if (setFiles.has(name)) problems.push(`set ${name} is defined twice: in ${setFiles.get(name)} and in ${rel(setsFile)}`);
          setFiles.set(name, rel(setsFile));
          sets[name] = set;
          // Upstream's own sets name a few types it never defined (density/mg-dl, …); they are published as is.
          if (pack.manifest.base !== true) checkSetTypes(name, set, rel(setsFile), typeFiles, problems);
        }
    }
  }
  if (problems.length > 0) throw new BuildError(problems);
  return { packs, base: bases[0], classes, sets, licenses };
}

/** The published directory (spec §9.1 flat shape) plus the catalogue rows. */
export function buildOutputs(loaded) {
  const { base, classes, sets, licenses, packs } = loaded;
  const types = {};
  const extras = {};
  const classOut = {};
  const rows = [];
  for (const className of [...classes.keys()].sort()) {
    const cls = classes.get(className);
    classOut[className] = cls.extras ? { description: cls.description, extras: cls.extras } : { description: cls.description };
    for (const [format, def] of cls.formats) {
      const { extras: typeExtras, examples, counterExamples, ...schema } = def;
      const type = `${className}/${format}`;
      types[type] = schema;
      if (typeExtras) extras[type] = typeExtras;
      rows.push({ className, type, description: def.description ?? '', example: examples[0] });
    }
  }
  const flat = { version: String(base.manifest.version), types, extras, classes: classOut, sets };
  const flatJson = JSON.stringify(flat);
  const etag = `"${createHash('sha256').update(flatJson).digest('base64url').slice(0, 27)}"`;
  const licenseText = licenses
    .map(({ pack, text }, i) => {
      if (i === 0) return text ?? `${pack.manifest.license}\n`;
      const head = `\n---\nPack "${pack.manifest.name}" ${pack.manifest.version}: ${pack.manifest.license}, maintained by ${pack.manifest.maintainers.join(', ')}.\n`;
      return text ? `${head}\n${text}` : head;
    })
    .join('');
  const moduleText = [
    '// GENERATED by scripts/build-event-types.mjs from event-types/*: do not edit, run `npm run build:types`.',
    `// ${Object.keys(types).length} types in ${Object.keys(classOut).length} classes from packs: ${packs.map((p) => `${p.manifest.name}@${p.manifest.version}`).join(', ')}.`,
    '',
    '/** The published directory, spec §9.1 flat shape, served as is. */',
    `export const FLAT_JSON = ${JSON.stringify(flatJson)};`,
    '',
    '/** Strong ETag of FLAT_JSON. */',
    `export const FLAT_ETAG = ${JSON.stringify(etag)};`,
    '',
    '/** Served at /event-types/LICENSE: the base pack notice, then the other packs. */',
    `export const LICENSE_TEXT = ${JSON.stringify(licenseText)};`,
    '',
  ].join('\n');
  return { flat, moduleText, catalogueText: catalogue(rows, classOut, packs, Object.keys(types).length) };
}

function cell(text) {
  return String(text).replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
}

function catalogue(rows, classOut, packs, count) {
  const lines = [
    '# Event types',
    '',
    '<!-- GENERATED by scripts/build-event-types.mjs: do not edit, run `npm run build:types`. -->',
    '',
    `${count} types in ${Object.keys(classOut).length} classes, served at \`GET /event-types/flat.json\`. How to add one: [CONTRIBUTING.md](../CONTRIBUTING.md).`,
    '',
    '| Pack | Version | License | Description |',
    '|---|---|---|---|',
    ...packs.map((p) => `| \`${p.manifest.name}\` | ${p.manifest.version} | ${p.manifest.license} | ${cell(p.manifest.description)} |`),
    '',
  ];
  let current;
  for (const row of rows) {
    if (row.className !== current) {
      if (current !== undefined) lines.push('');
      current = row.className;
      lines.push(`## ${current}`, '', cell(classOut[current].description), '', '| Type | Description | Example content |', '|---|---|---|');
    }
    const example = JSON.stringify(row.example);
    const shown = example.length > 200 ? `${example.slice(0, 197)}…` : example;
    lines.push(`| \`${row.type}\` | ${cell(row.description)} | \`${cell(shown).replace(/`/g, "'")}\` |`);
  }
  lines.push('');
  return lines.join('\n');
}

function parseArgs(argv) {
  const args = { check: false, packs: path.join(ROOT, 'event-types'), out: ROOT };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--check') args.check = true;
    else if (argv[i] === '--packs') args.packs = path.resolve(argv[++i]);
    else if (argv[i] === '--out') args.out = path.resolve(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return args;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  let outputs;
  try {
    outputs = buildOutputs(loadPacks(args.packs));
  } catch (e) {
    if (!(e instanceof BuildError)) throw e;
    console.error(e.message);
    process.exit(1);
  }
  const files = [
    [path.join(args.out, MODULE_PATH), outputs.moduleText],
    [path.join(args.out, CATALOGUE_PATH), outputs.catalogueText],
  ];
  if (args.check) {
    const stale = files.filter(([file, text]) => !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text).map(([file]) => path.relative(process.cwd(), file));
    if (stale.length > 0) {
      console.error(`event-types: ${stale.join(' and ')} out of date with event-types/: run \`npm run build:types\` and commit the result.`);
      process.exit(1);
    }
    console.log(`event-types: ${Object.keys(outputs.flat.types).length} types checked, generated files up to date.`);
    return;
  }
  for (const [file, text] of files) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  console.log(`event-types: ${Object.keys(outputs.flat.types).length} types written to ${files.map(([f]) => path.relative(process.cwd(), f)).join(', ')}.`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
