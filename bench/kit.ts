// Shared plumbing of the benchmarks: paths, flags, a throw-away database, a forked server process, result files.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import path from 'node:path';
import type { Express } from 'express';
import pg from 'pg';

/** The repository root. */
export const ROOT = path.resolve(import.meta.dirname, '..');
/** The newest real list snapshot beside the repository (../shared/lists/current-2026). */
export const SEED_DIR = path.resolve(ROOT, '..', 'shared/lists/current-2026');
const PG_ADMIN = 'postgres://root@127.0.0.1:5432/postgres';

/** `--name value` from the command line, else `fallback`. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** The q-quantile of an ascending array (0 when empty). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Listens on an ephemeral loopback port. */
export function listen(app: Express): Promise<Server> {
  return new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
}

/** Port a listening server got. */
export const portOf = (s: Server): number => (s.address() as { port: number }).port;

/** Runs `fn` with a fresh PostgreSQL database on 127.0.0.1:5432, dropped afterwards. */
export async function withTempDatabase<T>(prefix: string, fn: (dbName: string) => Promise<T>): Promise<T> {
  const dbName = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  try {
    return await fn(dbName);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

/** Forks this bench file as its `--server` side (tsx, IPC); resolves with the child and its first message. */
export async function forkServer<M>(file: string, env: Record<string, string>): Promise<{ child: ChildProcess; ready: M }> {
  const child = fork(file, ['--server'], { execArgv: ['--import', 'tsx'], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [ready] = (await once(child, 'message')) as [M];
  return { child, ready };
}

/** Asks a forked server to stop ('stop' message), then kills it after 15 s. */
export async function stopServer(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  child.send('stop');
  await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 15_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** Writes `bench/results/<name>.json` and prints the same JSON on stdout. */
export async function writeResult(name: string, result: unknown): Promise<void> {
  const text = `${JSON.stringify(result, null, 2)}\n`;
  await mkdir(path.join(ROOT, 'bench/results'), { recursive: true });
  await writeFile(path.join(ROOT, 'bench/results', `${name}.json`), text);
  process.stdout.write(text);
}
