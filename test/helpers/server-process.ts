import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CLI } from './cli.js';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process has printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `perisai serve` in its own process on a free port and waits until it listens. */
export async function startServerProcess(db: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  // The audit key and checkpoints go beside the data; for PostgreSQL that would be ./data, so give each process its own.
  const keyDir = mkdtempSync(join(tmpdir(), 'perisai-audit-'));
  const child = spawn(process.execPath, [...CLI, 'serve', '--port', '0', '--db', db], {
    env: { ...process.env, PERISAI_LOG_LEVEL: 'warn', PERISAI_IMAGE_DETECTORS: '0', PERISAI_AUDIT_KEY_FILE: join(keyDir, 'audit-key.pem'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in 30 s:\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /running on (http:\/\/\S+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  child.once('exit', () => rmSync(keyDir, { recursive: true, force: true }));
  return {
    url,
    child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Polls `check` until it returns true or `ms` pass; returns how long it took, or -1. */
export async function waitFor(check: () => Promise<boolean>, ms: number, stepMs = 50): Promise<number> {
  const started = Date.now();
  while (Date.now() - started <= ms) {
    if (await check()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  return -1;
}
