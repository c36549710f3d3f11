import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { isPerisaiError } from '../../src/domain/errors.js';
import { OpenAiImagesUpstream } from '../../src/upstream/openai-images.js';

/** An upstream that misbehaves in one chosen way per path: the client must refuse each one. */
type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

describe('the OpenAI-compatible upstream client against a misbehaving upstream', () => {
  let server: Server;
  let origin: string;
  let handler: Handler = (_request, response) => response.end();
  before(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => handler(request, response));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );

  const client = (timeoutMs = 2000) => new OpenAiImagesUpstream({ url: `${origin}/v1/`, key: 'sk-test-key-abcdef', timeoutMs, maxImages: 2 });
  const json =
    (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
    (_request, response) =>
      response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

  async function failure(setup: Handler, timeoutMs?: number): Promise<{ code: string; message: string; details: Record<string, unknown> | undefined }> {
    handler = setup;
    try {
      await client(timeoutMs).generate({ prompt: 'a tree', fields: {} });
    } catch (error) {
      assert.ok(isPerisaiError(error), String(error));
      return { code: error.code, message: error.message, details: error.details };
    }
    assert.fail('the call succeeded');
  }

  it('posts to {url}/images/generations with the upstream key and returns the decoded bytes', async () => {
    let seen: { url?: string; auth?: string } = {};
    handler = (request, response) => {
      seen = { url: request.url!, auth: request.headers.authorization! };
      json(200, { created: 1, data: [{ b64_json: PNG.toString('base64'), revised_prompt: 'a tall tree' }], size: '64x64' })(request, response);
    };
    const answer = await client().generate({ prompt: 'a tree', fields: { n: 1 } });
    assert.deepEqual(seen, { url: '/v1/images/generations', auth: 'Bearer sk-test-key-abcdef' });
    assert.deepEqual(Buffer.from(answer.images[0]!.bytes), PNG);
    assert.equal(answer.images[0]!.revisedPrompt, 'a tall tree');
    assert.equal(answer.size, '64x64');
  });

  it('an error answer is upstream_failed with its status; a message quoting a key is not repeated', async () => {
    const said = await failure(json(400, { error: { message: 'Invalid size: use 1024x1024.' } }));
    assert.equal(said.code, 'upstream_failed');
    assert.match(said.message, /HTTP 400: "Invalid size: use 1024x1024\."/);
    assert.deepEqual(said.details, { perisai: { upstream_status: 400 } });
    const leaky = await failure(json(401, { error: { message: 'Incorrect API key provided: sk-test-key-abcdef.' } }));
    assert.doesNotMatch(leaky.message, /sk-test|abcdef/);
    assert.match(leaky.message, /HTTP 401\./);
  });

  it('an answer that is not an images response, bad base64, or more images than asked for is upstream_failed', async () => {
    handler = (_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy login</html>');
    assert.match((await failure(handler)).message, /not an OpenAI images response/);
    assert.match((await failure(json(200, { created: 1, data: [{ b64_json: 'not base64!!' }] }))).message, /not valid base64/);
    assert.match((await failure(json(200, { created: 1, data: [{}] }))).message, /neither "b64_json" nor "url"/);
    const three = { created: 1, data: [1, 2, 3].map(() => ({ b64_json: PNG.toString('base64') })) };
    assert.match((await failure(json(200, three))).message, /3 images, more than the 2/);
  });

  it('an answer declared or sent larger than the bound is refused without reading it all', async () => {
    const declared = await failure((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(200 * 1024 * 1024) });
      response.write('{');
    });
    assert.equal(declared.code, 'upstream_failed');
    assert.match(declared.message, /larger than/);
    const streamed = await failure((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x41);
      let sent = 0;
      const pump = (): void => {
        while (sent < 80 && response.write(chunk)) sent += 1;
        if (sent < 80) response.once('drain', pump);
        else response.end();
      };
      pump();
    });
    assert.match(streamed.message, /larger than/);
  });

  it('a redirect is not followed, and a linked image elsewhere is not fetched', async () => {
    const redirect = await failure((_request, response) => response.writeHead(307, { location: 'http://127.0.0.2:1/elsewhere' }).end());
    assert.equal(redirect.code, 'upstream_failed');
    const linked = await failure(json(200, { created: 1, data: [{ url: 'http://169.254.169.254/latest/meta-data' }] }));
    assert.match(linked.message, /http:\/\/169\.254\.169\.254, which is not its own origin/);
  });

  it('an answer trickled past the deadline is upstream_timeout', async () => {
    const slow = await failure((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"created":1,');
      // Never ends: the client's deadline, not the server, closes the exchange.
    }, 200);
    assert.equal(slow.code, 'upstream_timeout');
    assert.match(slow.message, /within 0.2 s/);
  });
});
