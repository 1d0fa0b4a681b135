// An http.Server for an Express app whose requests and responses are born with the app's own prototypes.
import http from 'node:http';
import type { Express } from 'express';

type Constructors = { IncomingMessage: typeof http.IncomingMessage; ServerResponse: typeof http.ServerResponse };

/** Each app's request and response classes, made once: a second server for the same app shares them. */
const classesOf = new WeakMap<Express, Constructors>();

/**
 * Like `http.createServer(app)`, but each request and response is constructed with `app.request` and
 * `app.response` as its prototype. Express's `app.handle` otherwise swaps the prototype of every request and
 * response (`Object.setPrototypeOf`); measured on Node 20 (bench/RESULTS.md), that swap made about a third of a
 * request's allocations survive young-generation collections and grew the old generation by 10–12 KB per request.
 * With the prototype already in place, Express's swap is a no-op.
 *
 * The requests and responses are instances of subclasses of Node's, and `app.request` / `app.response` are
 * replaced, once per app, by those subclasses' prototypes: the same own properties (`app`) over the same Express
 * prototypes, so `req.app`, Express's methods and getters and whatever was added to `app.request` before behave as
 * before. (A subclass, not a plain function as `new.target`: for a plain function V8 builds a new object layout on
 * every construction — 6–8 KB of old generation per request, bench/old-space-growth.ts.)
 *
 * Hosts that mount `kycgate.screen()` in their own Express app can serve it the same way.
 */
export function createHttpServer(app: Express, options: http.ServerOptions = {}): http.Server {
  let classes = classesOf.get(app);
  if (!classes) {
    classes = { IncomingMessage: subclassAt(http.IncomingMessage, app, 'request'), ServerResponse: subclassAt(http.ServerResponse, app, 'response') };
    classesOf.set(app, classes);
  }
  return http.createServer({ ...options, ...classes }, app);
}

/** A subclass of `Base` whose prototype takes `app[key]`'s place: its own properties, over its prototype. */
function subclassAt<T extends typeof http.IncomingMessage | typeof http.ServerResponse>(Base: T, app: Express, key: 'request' | 'response'): T {
  const current = app[key] as object;
  const Sub = class extends Base {};
  Object.setPrototypeOf(Sub.prototype, Object.getPrototypeOf(current));
  Object.defineProperties(Sub.prototype, Object.getOwnPropertyDescriptors(current));
  (app as unknown as Record<typeof key, object>)[key] = Sub.prototype;
  return Sub as unknown as T;
}
