/**
 * dist/extension.js, the manifest's `main`: loads the extension itself (dist/main.js) with V8's
 * code cache. Most of activation was V8 compiling the 300 KB bundle (bench:activation: ~14 of
 * ~24 ms); with the cache V8 reads that work back instead. VS Code caches its own code this way
 * but not an extension's, so the extension keeps its cache itself, in its global storage (the
 * user's data, never the install folder), keyed by the bundle's size and time and V8's version. A
 * cache V8 rejects (another V8, a changed bundle) is only slower: the source is compiled as
 * without one and the cache written again. Only Node built-ins here: this file must stay tiny.
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Script } from 'node:vm';
import type * as vscode from 'vscode';
import type { SparkGatewayApi } from './extension';

interface Main {
  activate(context: vscode.ExtensionContext): Promise<SparkGatewayApi>;
  deactivate(): void;
}

/** How long after activation the cache is written: by then the functions activation ran are compiled too. */
const WRITE_DELAY_MS = 3000;
const PREFIX = 'main-';

let main: Main | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<SparkGatewayApi> {
  main = load(path.join(__dirname, 'main.js'), path.join(context.globalStorageUri.fsPath, 'code-cache'));
  return main.activate(context);
}

export function deactivate(): void {
  main?.deactivate();
}

/** Runs `file` as a CommonJS module, compiled with the cache in `cacheDir` when there is a usable one. */
function load(file: string, cacheDir: string): Main {
  const source = readFileSync(file, 'utf8');
  const stat = statSync(file);
  const name = `${PREFIX}${process.versions.v8}-${stat.size}-${Math.trunc(stat.mtimeMs)}.bin`;
  const cacheFile = path.join(cacheDir, name);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined; // the first start, or a new bundle: compiled from source below
  }
  // Node's CommonJS wrapper, on the source's first line so line numbers stay the file's.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const compiled = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string) => void;
  // Its own require, as if Node had loaded the file: ./vendor/* resolve next to it, and VS Code
  // maps `require('vscode')` to this extension by the requiring module's file name.
  const module = { exports: {} };
  compiled.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  if (cachedData === undefined || script.cachedDataRejected === true) {
    setTimeout(() => writeCache(cacheDir, name, script), WRITE_DELAY_MS).unref();
  }
  return module.exports as Main;
}

/**
 * Writes the cache (whole or not at all) and removes the ones of older bundles. Never fails
 * activation. Synchronous (about a millisecond, seconds after activation): node:fs/promises would
 * be one more module to load at activation.
 */
function writeCache(cacheDir: string, name: string, script: Script): void {
  try {
    mkdirSync(cacheDir, { recursive: true });
    const partial = path.join(cacheDir, `${name}.${process.pid}.tmp`);
    writeFileSync(partial, script.createCachedData());
    renameSync(partial, path.join(cacheDir, name));
    for (const old of readdirSync(cacheDir)) {
      if (old.startsWith(PREFIX) && old !== name) rmSync(path.join(cacheDir, old), { force: true });
    }
  } catch {
    // A read-only or full disk: the next activation compiles from source, as this one did.
  }
}
