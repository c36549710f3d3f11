import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ADMIN_KEY, startTestApp, type TestApp } from '../helpers/app.js';
import { STORE_FACTORIES, useStore } from '../helpers/stores.js';

// Walks the document the server serves, so routes added later are held to the same rules.
const factory = STORE_FACTORIES[0]!;
let t: TestApp;
type Schema = Record<string, unknown>;

const SUBSCHEMA_LISTS = ['oneOf', 'anyOf', 'allOf', 'prefixItems'] as const;
const SUBSCHEMAS = ['items', 'additionalProperties', 'not', 'if', 'then', 'else'] as const;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function described(schema: unknown): boolean {
  return isSchema(schema) && typeof schema.description === 'string' && schema.description.trim().length > 0;
}

/** RFC 6901: "~" and "/" in a key are escaped so each path can be pasted into a JSON pointer tool. */
function pointer(parent: string, key: string | number): string {
  return `${parent}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** Collects the pointer of every property (at any depth, in any member) that has no description. */
function undescribedProperties(schema: unknown, at: string, found: string[]): void {
  if (!isSchema(schema)) return;
  if (isSchema(schema.properties)) {
    for (const [name, property] of Object.entries(schema.properties)) {
      const where = pointer(pointer(at, 'properties'), name);
      if (!described(property)) found.push(where);
      undescribedProperties(property, where, found);
    }
  }
  for (const key of SUBSCHEMA_LISTS) {
    const members = schema[key];
    if (Array.isArray(members)) members.forEach((member, i) => undescribedProperties(member, pointer(pointer(at, key), i), found));
  }
  for (const key of SUBSCHEMAS) undescribedProperties(schema[key], pointer(at, key), found);
}

/** Every component schema, parameter, request body and response body of the document. */
function undescribedFields(doc: Schema): string[] {
  const found: string[] = [];
  const components = isSchema(doc.components) ? doc.components : {};
  for (const [name, schema] of Object.entries(isSchema(components.schemas) ? components.schemas : {})) {
    undescribedProperties(schema, pointer('/components/schemas', name), found);
  }
  const content = (holder: unknown, at: string): void => {
    if (!isSchema(holder) || !isSchema(holder.content)) return;
    for (const [type, media] of Object.entries(holder.content)) {
      if (isSchema(media)) undescribedProperties(media.schema, pointer(pointer(pointer(at, 'content'), type), 'schema'), found);
    }
  };
  for (const [path, methods] of Object.entries(isSchema(doc.paths) ? doc.paths : {})) {
    if (!isSchema(methods)) continue;
    for (const [method, op] of Object.entries(methods)) {
      if (!isSchema(op)) continue;
      const at = pointer(pointer('/paths', path), method);
      const parameters = Array.isArray(op.parameters) ? op.parameters : [];
      parameters.forEach((parameter, i) => {
        const where = pointer(pointer(at, 'parameters'), i);
        if (!described(parameter)) found.push(`${where} (${isSchema(parameter) ? String(parameter.name) : '?'})`);
        if (isSchema(parameter)) undescribedProperties(parameter.schema, pointer(where, 'schema'), found);
      });
      content(op.requestBody, pointer(at, 'requestBody'));
      for (const [status, response] of Object.entries(isSchema(op.responses) ? op.responses : {})) content(response, pointer(pointer(at, 'responses'), status));
    }
  }
  return found;
}

interface Operation {
  description?: string;
  security?: Array<Record<string, string[]>>;
}

describe('the served OpenAPI document', () => {
  const store = useStore(factory);
  before(async () => {
    t = await startTestApp(store());
  });
  after(async () => t?.close());

  test('every operation states its security, and a secured one names its scope in security and description', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, Operation>> };
    const problems: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const where = `${method.toUpperCase()} ${path}`;
        if (!Array.isArray(op.security)) {
          problems.push(`${where}: no security (use [] for an open route)`);
          continue;
        }
        for (const requirement of op.security) {
          for (const [scheme, scopes] of Object.entries(requirement)) {
            if (scopes.length === 0) problems.push(`${where}: ${scheme} without a scope`);
            for (const scope of scopes) if (!op.description?.includes(`\`${scope}\``)) problems.push(`${where}: description does not name scope ${scope}`);
          }
        }
        if (op.security.length === 0 && !op.description) problems.push(`${where}: an open route should say so in its description`);
      }
    }
    assert.deepEqual(problems, []);
  });

  test('every property of every schema and every parameter has a description (pointers of those without are listed)', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Schema;
    assert.deepEqual(undescribedFields(doc), []);
  });

  test('/docs shows every field of every schema and every parameter with its description', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Schema;
    const page = (await t.app.inject({ method: 'GET', url: '/docs' })).body;
    const html = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
    const missing: string[] = [];
    const walk = (schema: unknown, prefix: string, where: string): void => {
      if (!isSchema(schema)) return;
      for (const key of ['oneOf', 'anyOf', 'allOf'] as const) {
        const members = schema[key];
        if (Array.isArray(members)) members.forEach((member) => walk(member, prefix, where));
      }
      for (const [name, property] of Object.entries(isSchema(schema.properties) ? schema.properties : {})) {
        if (!isSchema(property)) continue;
        const row = `<code>${html(prefix + name)}</code></td>`;
        if (!page.includes(row) || !page.includes(html(String(property.description)))) missing.push(`${where} ${prefix}${name}`);
        walk(property, `${prefix}${name}.`, where);
        walk(property.items, `${prefix}${name}[].`, where);
      }
    };
    const components = (doc.components as { schemas: Record<string, unknown> }).schemas;
    for (const [name, schema] of Object.entries(components)) {
      if (!page.includes(`id="schema-${name}"`)) missing.push(`schema ${name}`);
      walk(schema, '', name);
    }
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, Schema>>)) {
      for (const op of Object.values(methods)) {
        for (const parameter of Array.isArray(op.parameters) ? (op.parameters as Schema[]) : []) {
          if (!page.includes(html(String(parameter.description)))) missing.push(`${path} parameter ${String(parameter.name)}`);
        }
      }
    }
    assert.deepEqual(missing, []);
    assert.ok(Object.keys(components).length >= 10);
  });

  test('the documented answers have exactly the fields the routes send', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { components: { schemas: Record<string, Schema> } };
    const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) =>
      (
        await t.app.inject({
          method,
          url,
          headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
        })
      ).json() as Record<string, unknown>;
    const fields = (name: string): string[] => {
      const schema = doc.components.schemas[name]!;
      return Object.keys(isSchema(schema.properties) ? schema.properties : {}).sort();
    };
    const pdq = '5a'.repeat(32);
    const answers: Array<[string, Record<string, unknown>]> = [
      ['ConsentView', await call('PUT', '/v1/consent/acct-doc', { allow_ai_edits_by_others: false, allow_ai_edits_by_self: true })],
      ['ProtectedHashesAdded', await call('POST', '/v1/consent/acct-doc/protected-hashes', { hashes: [{ pdq, quality: 90 }] })],
      ['ProtectedHashList', await call('GET', '/v1/consent/acct-doc/protected-hashes')],
      ['Bank', await call('POST', '/v1/banks', { name: 'doc-bank', purpose: 'test' })],
      ['BankList', await call('GET', '/v1/banks')],
      ['BankImport', await call('POST', '/v1/banks/doc-bank/hashes', { hashes: [{ pdq, quality: 90 }] })],
      ['LedgerMatches', await call('POST', '/v1/ledger/lookup', { pdq })],
      ['AuditPage', await call('GET', '/v1/audit')],
      ['AuditCheckpoint', await call('GET', '/v1/audit/checkpoint')],
      ['Deleted', await call('DELETE', '/v1/consent/acct-doc/protected-hashes')],
      ['ModerationResponse', await call('POST', '/v1/moderations', { input: 'a lighthouse' })],
      ['TransparencyReport', await call('GET', '/v1/transparency?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z')],
      ['Account', await call('POST', '/v1/accounts/acct-doc/suspend', { reason: 'Documented.', days: 1 })],
    ];
    for (const [name, answer] of answers) assert.deepEqual(Object.keys(answer).sort(), fields(name), name);
    const entry = (answers.find(([name]) => name === 'AuditPage')![1].entries as Array<Record<string, unknown>>)[0]!;
    const entrySchema = (doc.components.schemas.AuditPage!.properties as Record<string, Schema>).entries!.items as Schema;
    assert.deepEqual(Object.keys(entry).sort(), Object.keys(entrySchema.properties as Schema).sort());
    const result = (answers.find(([name]) => name === 'ModerationResponse')![1].results as Array<Record<string, unknown>>)[0]!;
    const resultSchema = (doc.components.schemas.ModerationResponse!.properties as Record<string, Schema>).results!.items as Schema;
    assert.deepEqual(Object.keys(result).sort(), Object.keys(resultSchema.properties as Schema).sort());
    const account = answers.find(([name]) => name === 'Account')![1];
    const suspension = account.suspension as Record<string, unknown>;
    assert.deepEqual(Object.keys(suspension).sort(), fields('Suspension'));
    assert.deepEqual(Object.keys((account.history as Array<Record<string, unknown>>)[0]!).sort(), ['actor', 'at', 'details', 'kind']);
  });

  test('the description check finds properties at any depth and parameters without one', () => {
    const doc: Schema = {
      components: {
        schemas: {
          A: {
            type: 'object',
            properties: {
              ok: { type: 'string', description: 'Described.' },
              'a/b': { type: 'array', description: 'A list.', items: { type: 'object', properties: { deep: { type: 'string' } } } },
              choice: { description: 'One of two.', anyOf: [{ type: 'object', properties: { left: { type: 'string', description: ' ' } } }] },
            },
          },
        },
      },
      paths: {
        '/x/{id}': {
          get: {
            parameters: [{ name: 'id', in: 'path', schema: { type: 'string' } }],
            responses: { '200': { content: { 'application/json': { schema: { type: 'object', properties: { n: { type: 'integer' } } } } } } },
          },
        },
      },
    };
    assert.deepEqual(undescribedFields(doc), [
      '/components/schemas/A/properties/a~1b/items/properties/deep',
      '/components/schemas/A/properties/choice/anyOf/0/properties/left',
      '/paths/~1x~1{id}/get/parameters/0 (id)',
      '/paths/~1x~1{id}/get/responses/200/content/application~1json/schema/properties/n',
    ]);
  });
});
