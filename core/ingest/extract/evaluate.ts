// Runs a compiled source bundle as a CommonJS module.
// The 'sluice' specifier resolves to Sluice's own public API, so a user's project needs no sluice package;
// every other require resolves from the source's directory, i.e. from the user's node_modules.

import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vm from 'node:vm';
import * as publicApi from '../../index';
import { IMPORT_META_URL } from './bundle';

const WRAPPER_PARAMS = ['exports', 'require', 'module', '__filename', '__dirname', IMPORT_META_URL, 'console'];

export interface EvaluatedModule {
  exports: unknown;
}

/**
 * Evaluates the bundle. bundleName is the file name stack frames will show for the bundled code;
 * file is the source module (for __filename and for resolving packages); sourceConsole is the
 * `console` the module sees (the global one when omitted).
 */
export function evaluateBundle(code: string, file: string, bundleName: string, sourceConsole: Console = console): EvaluatedModule {
  const baseRequire = createRequire(file);
  const sourceRequire = ((id: string) => (id === 'sluice' ? publicApi : baseRequire(id))) as NodeRequire;
  sourceRequire.resolve = baseRequire.resolve;
  sourceRequire.cache = baseRequire.cache;
  sourceRequire.main = baseRequire.main;
  sourceRequire.extensions = baseRequire.extensions;

  const module = { exports: {} as unknown, id: file, filename: file, loaded: false };
  const fn = vm.compileFunction(code, WRAPPER_PARAMS, { filename: bundleName }) as (...args: unknown[]) => void;
  fn.call(module.exports, module.exports, sourceRequire, module, file, path.dirname(file), pathToFileURL(file).href, sourceConsole);
  module.loaded = true;
  return module;
}
