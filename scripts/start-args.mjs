// Reads `npm start -- …` (and `npm run demo -- …`) arguments. The dev-server launcher always passes its own
// `--ip`, `--port`, `--log-level`, `--persist-to` and `-c wrangler.toml` to `wrangler dev`, and wrangler refuses
// a single-value flag given twice, so those are taken out of the pass-through arguments here and handed to the
// launcher as options. Everything else goes to `wrangler dev` unchanged.

export const DEFAULT_PORT = 8787;
export const DEFAULT_IP = '127.0.0.1';
const MAX_PORT = 65_535;

/** Flags the launcher sets itself → the option name they become. */
const OWN_FLAGS = { '--port': 'port', '--ip': 'ip', '--log-level': 'logLevel', '--persist-to': 'stateDir' };
/** The launcher always uses the project's wrangler.toml: another config would describe another Worker. */
const CONFIG_FLAGS = new Set(['-c', '--config']);

export class StartArgsError extends Error {}

function parsePort(text, from) {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_PORT) {
    throw new StartArgsError(`${from} must be a port number from 1 to ${MAX_PORT}, got "${text}"`);
  }
  return Number(text);
}

/**
 * `args` are the arguments after `--`; `env` supplies `PORT`. Returns `{port, ip, logLevel?, stateDir?,
 * extraArgs}`; `--port` wins over `PORT`. Throws StartArgsError on a missing value, a bad port, a flag given
 * twice or a config flag.
 */
export function parseStartArgs(args, env = {}) {
  const own = {};
  const extraArgs = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('-') && eq > 0 ? arg.slice(0, eq) : arg;
    if (CONFIG_FLAGS.has(flag)) throw new StartArgsError(`${flag} is not supported: npm start always runs wrangler.toml`);
    const option = OWN_FLAGS[flag];
    if (!option) {
      extraArgs.push(arg);
      continue;
    }
    let value;
    if (flag !== arg) value = arg.slice(eq + 1);
    else {
      value = args[i + 1];
      if (value === undefined || value.startsWith('-')) throw new StartArgsError(`${flag} expects a value`);
      i++;
    }
    if (value === '') throw new StartArgsError(`${flag} expects a value`);
    if (option in own) throw new StartArgsError(`${flag} was given more than once`);
    own[option] = value;
  }
  const port = own.port !== undefined ? parsePort(own.port, '--port') : env.PORT ? parsePort(env.PORT, 'PORT') : DEFAULT_PORT;
  const out = { port, ip: own.ip ?? DEFAULT_IP, extraArgs };
  if (own.logLevel !== undefined) out.logLevel = own.logLevel;
  if (own.stateDir !== undefined) out.stateDir = own.stateDir;
  return out;
}
