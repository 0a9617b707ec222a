// The REST client's per-request timeout fires even when garbage collection runs while it waits. With
// AbortSignal.timeout() inside AbortSignal.any(), Node could collect the timeout signal before it fired, and a
// server that accepted the request but never answered kept the load waiting for as long as it stayed open.
import { strict as assert } from 'node:assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { authenticator } from '../../core/sources/rest/auth';
import { RateLimiter, RestClient } from '../../core/sources/rest/client';
import { Masker } from '../../core/sources/rest/secrets';

describe('REST client timeout', function () {
  this.timeout(10_000);
  let server: http.Server;
  let url: string;
  before(async () => {
    // Accepts every request and never answers.
    server = http.createServer(() => undefined).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hangs`;
  });
  after(() => server.closeAllConnections?.() ?? server.close());

  it('gives up on a server that never answers after the timeout, with garbage collection running meanwhile', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const collecting = setInterval(gc, 20);
    const masker = new Masker({});
    const client = new RestClient({
      headers: {}, auth: authenticator(undefined, masker), timeoutMs: 300, maxRetries: 1, backoffMs: 10, limiter: new RateLimiter(undefined), masker,
    });
    const retries: string[] = [];
    const log = { info: (m: string) => retries.push(m), warn: () => undefined, debug: () => undefined };
    const started = Date.now();
    try {
      await assert.rejects(
        client.send({ method: 'GET', url: new URL(url) }, [], log, new AbortController().signal),
        /GET http:\/\/127\.0\.0\.1:\d+\/hangs failed after 2 attempts: no response within 0\.3s/,
      );
    } finally {
      clearInterval(collecting);
    }
    assert.ok(Date.now() - started < 5_000, `gave up after ${Date.now() - started} ms`);
    assert.ok(retries.some((m) => /no response within 0\.3s; retry 1 of 1/.test(m)), retries.join('\n'));
  });
});
