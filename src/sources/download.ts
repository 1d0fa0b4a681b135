// Downloads one official list file with axios: streaming to disk, timeouts, a size cap, sha256, ETag / If-Modified-Since.
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import axios, { type AxiosResponse } from 'axios';
import { KycError } from '../errors.js';

/** Conditional-request validators and provenance of the cached copy of a file. */
export interface CachedFileMeta {
  url: string;
  etag?: string;
  lastModified?: string;
  sha256: string;
  bytes: number;
  retrievedAt: string;
}

export interface DownloadOptions {
  /** Whole download (headers and body), ms. @defaultValue 60000 */
  timeoutMs?: number;
  /** Size cap, bytes; bigger files are refused. @defaultValue 300000000 */
  maxBytes?: number;
  /** Directory of the cached copies (one file + `.meta.json` per download). */
  cacheDir: string;
  /** Name of the cached copy, e.g. `ofac-sdn/SDN.CSV`. */
  cacheName: string;
  /** Clock, for `retrievedAt`. @defaultValue () => new Date() */
  now?: () => Date;
  /**
   * Send If-None-Match / If-Modified-Since from the cached copy. False forces a full download (e.g. the
   * cached copy no longer matches its recorded sha256).
   * @defaultValue true
   */
  conditional?: boolean;
}

export interface DownloadResult {
  /** `fresh`: new bytes; `not-modified`: the server answered 304 and the cached copy serves. */
  status: 'fresh' | 'not-modified';
  path: string;
  meta: CachedFileMeta;
}

/** Why a download failed, for logs, metrics and the retry decision. */
export type DownloadFailure = 'http-status' | 'timeout' | 'too-large' | 'truncated' | 'html' | 'network';

function fail(url: string, kind: DownloadFailure, message: string, extra: Record<string, unknown> = {}): KycError {
  return new KycError('KYC_ERR_SOURCE_DOWNLOAD', `${url}: ${message}`, { url, kind, ...extra });
}

async function readMeta(file: string): Promise<CachedFileMeta | undefined> {
  try {
    return JSON.parse(await readFile(`${file}.meta.json`, 'utf8')) as CachedFileMeta;
  } catch {
    return undefined;
  }
}

/** True when the first bytes look like an HTML page (an error or maintenance page served instead of the file). */
export function looksLikeHtml(head: Buffer): boolean {
  const text = head.subarray(0, 512).toString('latin1').replace(/^\uFEFF/, '').trimStart().toLowerCase();
  return text.startsWith('<!doctype html') || text.startsWith('<html') || text.startsWith('<head') || text.startsWith('<body');
}

/**
 * Downloads `url` into the cache. Sends If-None-Match / If-Modified-Since from the cached copy;
 * a 304 keeps it. The validators are stored with the copy as soon as it is complete: a 304 only says the
 * server has nothing newer than that copy, not that it was ever imported — callers compare the copy's
 * sha256 with what they accepted (workers/refresh.ts). Refuses: HTTP errors, a body larger than `maxBytes`, fewer bytes than
 * Content-Length (truncated), HTML instead of a list file, and anything slower than `timeoutMs`.
 * Every refusal is a KycError `KYC_ERR_SOURCE_DOWNLOAD` whose `details.kind` names the failure.
 */
export async function downloadFile(url: string, options: DownloadOptions): Promise<DownloadResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const maxBytes = options.maxBytes ?? 300_000_000;
  const now = options.now ?? (() => new Date());
  const target = path.join(options.cacheDir, options.cacheName);
  await mkdir(path.dirname(target), { recursive: true });
  const cached = await readMeta(target);
  const headers: Record<string, string> = { 'accept-encoding': 'gzip, deflate' };
  if (cached && cached.url === url && options.conditional !== false) {
    if (cached.etag) headers['if-none-match'] = cached.etag;
    if (cached.lastModified) headers['if-modified-since'] = cached.lastModified;
  }

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const tmp = `${target}.${randomUUID()}.part`;
  try {
    let res: AxiosResponse<Readable>;
    try {
      res = await axios.get<Readable>(url, {
        responseType: 'stream',
        signal: controller.signal,
        timeout: timeoutMs,
        maxRedirects: 5,
        maxContentLength: maxBytes,
        headers,
        validateStatus: () => true,
        decompress: true,
      });
    } catch (err) {
      if (controller.signal.aborted || (err as { code?: string }).code === 'ECONNABORTED') throw fail(url, 'timeout', `no response within ${timeoutMs} ms`);
      throw fail(url, 'network', (err as Error).message, { code: (err as { code?: string }).code });
    }
    if (res.status === 304) {
      res.data.destroy();
      if (cached) return { status: 'not-modified', path: target, meta: cached };
      throw fail(url, 'http-status', '304 without a cached copy');
    }
    if (res.status < 200 || res.status >= 300) {
      res.data.destroy();
      throw fail(url, 'http-status', `HTTP ${res.status}`, { status: res.status });
    }
    const contentType = String(res.headers['content-type'] ?? '');
    if (/text\/html|application\/xhtml/i.test(contentType)) {
      res.data.destroy();
      throw fail(url, 'html', `served ${contentType} instead of a list file`);
    }
    const declared = Number(res.headers['content-length'] ?? NaN);
    const encoded = res.headers['content-encoding'] !== undefined && res.headers['content-encoding'] !== 'identity';
    if (Number.isFinite(declared) && declared > maxBytes) {
      res.data.destroy();
      throw fail(url, 'too-large', `Content-Length ${declared} exceeds the cap of ${maxBytes} bytes`);
    }

    const hash = createHash('sha256');
    let bytes = 0;
    let head = Buffer.alloc(0);
    const out = createWriteStream(tmp);
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const done = (err?: Error) => {
        if (settled) return;
        settled = true;
        if (err) {
          res.data.destroy();
          out.destroy();
          reject(err);
        } else resolve();
      };
      res.data.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (head.length < 512) head = Buffer.concat([head, chunk.subarray(0, 512 - head.length)]);
        if (bytes > maxBytes) return done(fail(url, 'too-large', `more than ${maxBytes} bytes`));
        hash.update(chunk);
      });
      res.data.on('error', (err: Error) =>
        done(controller.signal.aborted ? fail(url, 'timeout', `not complete within ${timeoutMs} ms`) : fail(url, 'truncated', `connection broke after ${bytes} bytes: ${err.message}`)),
      );
      res.data.on('aborted', () => done(fail(url, 'truncated', `connection closed after ${bytes} bytes`)));
      controller.signal.addEventListener('abort', () => done(fail(url, 'timeout', `not complete within ${timeoutMs} ms`)));
      out.on('error', (err) => done(err));
      out.on('finish', () => done());
      res.data.pipe(out);
    });
    if (!encoded && Number.isFinite(declared) && bytes < declared) throw fail(url, 'truncated', `got ${bytes} of ${declared} bytes`);
    if (bytes === 0) throw fail(url, 'truncated', 'empty body');
    if (looksLikeHtml(head)) throw fail(url, 'html', 'served an HTML page instead of a list file');

    const meta: CachedFileMeta = {
      url,
      ...(res.headers.etag ? { etag: String(res.headers.etag) } : {}),
      ...(res.headers['last-modified'] ? { lastModified: String(res.headers['last-modified']) } : {}),
      sha256: hash.digest('hex'),
      bytes,
      retrievedAt: now().toISOString(),
    };
    await rename(tmp, target);
    await writeFile(`${target}.meta.json`, JSON.stringify(meta, null, 2));
    return { status: 'fresh', path: target, meta };
  } finally {
    clearTimeout(timer);
    await rm(tmp, { force: true });
  }
}
