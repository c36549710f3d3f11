/**
 * The one tfjs instance every model in a worker shares, on the WebAssembly backend, with
 * every byte read from local package files.
 *
 * Why this is delicate:
 * - `@tensorflow/tfjs` resolves to its CommonJS build under Node, and so do nsfwjs (whose ESM
 *   build is broken under Node: it imports the directory "buffer/") and human's node-wasm
 *   bundle, which `require`s tfjs-core, -converter and -backend-wasm. Loading all of them
 *   through `require` gives one module instance, hence one engine, one backend, one registry.
 * - Node's fetch cannot read `file://`, and tfjs has no file loader outside tfjs-node, so a
 *   load router for `file://` model URLs reads model.json and its shards with fs.
 * - The wasm binary is located with `setWasmPaths(<local dir>)`; without platform fetch the
 *   Emscripten loader reads it with fs under Node.
 * - Multithreaded wasm is switched off: parallelism comes from the worker pool, one
 *   single-threaded backend per worker, sized to the cores.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type * as Tf from '@tensorflow/tfjs';

export type TfModule = typeof Tf;

export const requireFromHere = createRequire(import.meta.url);

export interface TfRuntime {
  tf: TfModule;
  /** Local directory holding the tfjs-backend-wasm binaries, with a trailing slash. */
  wasmDir: string;
  /** Milliseconds spent initialising the backend. */
  initMs: number;
}

let runtime: Promise<TfRuntime> | undefined;

/** Initialises tfjs on the wasm backend once per thread; later calls return the same runtime. */
export function initTfWasm(): Promise<TfRuntime> {
  runtime ??= init();
  return runtime;
}

async function init(): Promise<TfRuntime> {
  const started = performance.now();
  const tf = requireFromHere('@tensorflow/tfjs') as TfModule;
  const wasm = requireFromHere('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(prefix: string, usePlatformFetch?: boolean): void };
  const wasmDir = path.join(path.dirname(requireFromHere.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
  wasm.setWasmPaths(wasmDir, false);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  tf.enableProdMode();
  tf.io.registerLoadRouter(localFileRouter);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to initialise');
  await tf.ready();
  return { tf, wasmDir, initMs: performance.now() - started };
}

/** tfjs load router for `file://.../model.json` URLs; other URLs are left to tfjs (and fail offline). */
function localFileRouter(url: string | string[]): Tf.io.IOHandler {
  if (typeof url !== 'string' || !url.startsWith('file://')) return null as unknown as Tf.io.IOHandler;
  return localModelHandler(fileURLToPath(url));
}

interface ModelJson {
  modelTopology?: object;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  signature?: object;
  userDefinedMetadata?: Record<string, object>;
  modelInitializer?: object;
  weightsManifest: Array<{ paths: string[]; weights: Tf.io.WeightsManifestEntry[] }>;
}

/**
 * IO handler reading a tfjs model (model.json plus its binary shards) from the local disk.
 * Shards are concatenated in manifest order, as the weight specs expect.
 */
export function localModelHandler(modelJsonPath: string): Tf.io.IOHandler {
  return {
    async load(): Promise<Tf.io.ModelArtifacts> {
      const json = JSON.parse(await fs.promises.readFile(modelJsonPath, 'utf8')) as ModelJson;
      const dir = path.dirname(modelJsonPath);
      const weightSpecs: Tf.io.WeightsManifestEntry[] = [];
      const shards: Buffer[] = [];
      for (const group of json.weightsManifest) {
        weightSpecs.push(...group.weights);
        for (const p of group.paths) shards.push(await fs.promises.readFile(path.join(dir, p)));
      }
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy ?? undefined,
        signature: json.signature,
        userDefinedMetadata: json.userDefinedMetadata,
        modelInitializer: json.modelInitializer,
        weightSpecs,
        weightData: toArrayBuffer(Buffer.concat(shards)),
      };
    },
  };
}

/** An ArrayBuffer holding exactly these bytes (Node Buffers may be views into a shared pool). */
export function toArrayBuffer(buf: Uint8Array): ArrayBuffer {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength && buf.buffer instanceof ArrayBuffer) return buf.buffer;
  // Copy: `Buffer#slice` would return a view of the same pooled memory.
  const copy = new Uint8Array(buf.byteLength);
  copy.set(buf);
  return copy.buffer;
}
