import { Readable } from 'node:stream';

import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';

import type { AppContext } from '../../app-context.js';
import type { BankRow } from '../../services/banks.js';
import { bankNameSchema, createBankSchema } from '../../services/banks.js';
import { pdqHex } from '../../services/consent.js';
import { exportLines, parseHashListOrThrow } from '../../services/hash-import.js';
import { parseInput } from '../../services/parse-input.js';
import { requireScope } from '../auth.js';
import { BODY_LIMITS } from '../limits.js';

const nameParams = z.object({ name: bankNameSchema });
const hashParams = z.object({ name: bankNameSchema, pdq: pdqHex });
const activeSchema = z.strictObject({ active: z.boolean() });
const exportQuery = z.strictObject({ format: z.enum(['jsonl', 'csv', 'pdq']).default('jsonl') });

const TEXT_TYPES = ['text/plain', 'text/csv', 'application/x-ndjson', 'application/jsonl'];

/** Hash banks over HTTP (scope `banks`): the same operations as `perisai bank`. */
export function bankRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    const auth = { onRequest: requireScope(ctx.apiKeys, 'banks') };
    const actor = (request: { apiKey: { id: string } | null }) => request.apiKey?.id ?? 'unknown';

    // Hash lists travel as the text files the ecosystem exchanges; parse them ourselves. The
    // parsers live in this plugin's scope only: no other route accepts text bodies.
    for (const type of TEXT_TYPES) {
      app.addContentTypeParser(type, { parseAs: 'string' }, (_request, body, done) => done(null, body));
    }

    app.get('/v1/banks', auth, async () => ({ banks: (await ctx.banks.list()).map((bank) => ({ ...bankView(bank), hashes: bank.hashes })) }));

    app.post('/v1/banks', auth, async (request, reply) => {
      const body = parseInput(createBankSchema, request.body, 'body');
      return reply.code(201).send(bankView(await ctx.banks.create(body, actor(request))));
    });

    app.get('/v1/banks/:name', auth, async (request) => bankView(await ctx.banks.get(parseInput(nameParams, request.params, 'path').name)));

    app.patch('/v1/banks/:name', auth, async (request) => {
      const { name } = parseInput(nameParams, request.params, 'path');
      const { active } = parseInput(activeSchema, request.body, 'body');
      return bankView(await ctx.banks.setActive(name, active, actor(request)));
    });

    app.delete('/v1/banks/:name', auth, async (request) => {
      const { name } = parseInput(nameParams, request.params, 'path');
      await ctx.banks.delete(name, actor(request));
      return { deleted: name };
    });

    /** Body: a hash list (pdq lines, CSV or JSONL, detected or `?format=`) or JSON `{ "hashes": [...] }`. */
    app.post('/v1/banks/:name/hashes', { ...auth, bodyLimit: BODY_LIMITS.hashImport }, async (request) => {
      const { name } = parseInput(nameParams, request.params, 'path');
      const bank = await ctx.banks.get(name);
      const { format } = parseInput(z.object({ format: z.enum(['pdq', 'csv', 'jsonl']).optional() }), request.query, 'query');
      const text = typeof request.body === 'string' ? request.body : jsonBodyToJsonl(request.body);
      const entries = await parseHashListOrThrow(text, { format, minQuality: bank.minQuality });
      return ctx.banks.import(name, entries, actor(request));
    });

    app.delete('/v1/banks/:name/hashes/:pdq', auth, async (request) => {
      const { name, pdq } = parseInput(hashParams, request.params, 'path');
      await ctx.banks.remove(name, pdq, actor(request));
      return { bank: name, removed: pdq };
    });

    app.get('/v1/banks/:name/hashes', auth, async (request, reply) => {
      const { name } = parseInput(nameParams, request.params, 'path');
      const { format } = parseInput(exportQuery, request.query, 'query');
      await ctx.banks.get(name);
      reply.type(format === 'csv' ? 'text/csv; charset=utf-8' : format === 'jsonl' ? 'application/x-ndjson' : 'text/plain; charset=utf-8');
      // Streamed page by page: an export of millions of hashes never sits in memory whole.
      return reply.send(Readable.from(withNewlines(exportLines(ctx.banks.export(name), format))));
    });
  };
}

// A hash record's fields are flat (hex, numbers, short text): a nested object or array is refused
// here, by name, before anything walks it (a deeply nested one would otherwise overflow the stack).
const flatValue = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: 'must be a string, number, boolean or null: hash records hold no nested objects or arrays',
});
const jsonHashesSchema = z.strictObject({ hashes: z.array(z.record(z.string(), flatValue)).min(1, 'must hold at least one hash') });

/** A JSON body is the JSONL format with the lines in an array: one parser validates both. */
function jsonBodyToJsonl(body: unknown): string {
  return parseInput(jsonHashesSchema, body, 'body')
    .hashes.map((hash) => JSON.stringify(hash))
    .join('\n');
}

function bankView(bank: BankRow) {
  return {
    name: bank.name,
    purpose: bank.purpose,
    description: bank.description,
    active: bank.active,
    min_quality: bank.minQuality,
    max_distance: bank.maxDistance,
    created_at: bank.createdAt,
    created_by: bank.createdBy,
  };
}

async function* withNewlines(lines: AsyncIterable<string>): AsyncGenerator<string> {
  for await (const line of lines) yield `${line}\n`;
}
