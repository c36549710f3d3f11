import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

import { PerisaiError } from '../../domain/errors.js';

export interface Asset {
  type: string;
  body: Buffer;
}

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const requireHere = createRequire(import.meta.url);

/** Files shipped beside this module (copied into dist/ by the build). */
const FILES: Record<string, { path: string; type: string }> = {
  'console.css': { path: here('./assets/console.css'), type: 'text/css; charset=utf-8' },
};

/** Libraries served from node_modules, so no page loads anything from another host. */
const VENDOR: Record<string, { module: string; type: string }> = {
  'vendor/uplot.js': { module: 'uplot/dist/uPlot.iife.min.js', type: 'text/javascript; charset=utf-8' },
  'vendor/uplot.css': { module: 'uplot/dist/uPlot.min.css', type: 'text/css; charset=utf-8' },
};

/** Names of the browser scripts under `browser/` (served as `<name>.js`, bundled on first use). */
const BUNDLE_NAME = /^([a-z][a-z0-9-]*)\.js$/;

/**
 * The console's static assets: the stylesheet, vendored libraries, and the browser scripts,
 * bundled by esbuild from `browser/<name>.ts` once per process (from the sources), or as
 * `npm run build` bundled them into dist/.
 * Bundling from the same sources the server runs is what makes the browser's PDQ the server's.
 */
export class ConsoleAssets {
  private readonly cache = new Map<string, Promise<Asset>>();

  get(name: string): Promise<Asset> {
    let asset = this.cache.get(name);
    if (!asset) {
      asset = this.load(name);
      this.cache.set(name, asset);
      // A failed bundle is not cached: the next request tries again.
      asset.catch(() => this.cache.delete(name));
    }
    return asset;
  }

  private async load(name: string): Promise<Asset> {
    const file = FILES[name];
    if (file) return { type: file.type, body: readFileSync(file.path) };
    const vendor = VENDOR[name];
    if (vendor) return { type: vendor.type, body: readFileSync(requireHere.resolve(vendor.module)) };
    const bundle = BUNDLE_NAME.exec(name)?.[1];
    const entry = bundle ? [here(`./browser/${bundle}.ts`), here(`./browser/${bundle}.js`)].find((path) => existsSync(path)) : undefined;
    if (!entry) throw new PerisaiError('not_found', `There is no console asset ${name}.`);
    // In dist/ the build has bundled it already (scripts/build.mjs).
    if (entry.endsWith('.js')) return { type: 'text/javascript; charset=utf-8', body: readFileSync(entry) };
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      write: false,
      legalComments: 'none',
    });
    const output = result.outputFiles[0];
    if (!output) throw new PerisaiError('internal', `Bundling ${name} produced nothing.`);
    return { type: 'text/javascript; charset=utf-8', body: Buffer.from(output.contents) };
  }
}
