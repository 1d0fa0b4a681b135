// An http.Server for an Express app whose requests and responses are born with the app's own prototypes.
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Express } from 'express';

/**
 * Like `http.createServer(app)`, but each request and response is constructed with `app.request` and
 * `app.response` as its prototype. Express's `app.handle` otherwise swaps the prototype of every request and
 * response (`Object.setPrototypeOf`); measured on Node 20 (bench/RESULTS.md), that swap alone made about a third
 * of a request's allocations survive young-generation collections, so scavenges copied them, took 3–5× longer
 * and filled the old generation. With the prototype already in place, Express's swap is a no-op.
 *
 * Hosts that mount `kycgate.screen()` in their own Express app can serve it the same way.
 */
export function createHttpServer(app: Express, options: http.ServerOptions = {}): http.Server {
  // Reflect.construct with these functions as new.target: the object gets their prototype whether Node's
  // constructors are plain functions (Node 20) or classes
  function ExpressRequest(socket: Socket): http.IncomingMessage {
    return Reflect.construct(http.IncomingMessage, [socket], ExpressRequest) as http.IncomingMessage;
  }
  ExpressRequest.prototype = app.request;
  function ExpressResponse(req: http.IncomingMessage, opts?: unknown): http.ServerResponse {
    return Reflect.construct(http.ServerResponse, [req, opts], ExpressResponse) as http.ServerResponse;
  }
  ExpressResponse.prototype = app.response;
  return http.createServer(
    {
      ...options,
      IncomingMessage: ExpressRequest as unknown as typeof http.IncomingMessage,
      ServerResponse: ExpressResponse as unknown as typeof http.ServerResponse,
    },
    app,
  );
}
