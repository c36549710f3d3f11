/**
 * The shapes of the answers that are not a Decision or a case: written out here, every field
 * described, so /docs and /openapi.json say what a client gets back, not only what it sends.
 */
type JsonSchema = Record<string, unknown>;

const str = (description: string): JsonSchema => ({ type: 'string', description });
const nullableStr = (description: string): JsonSchema => ({ type: ['string', 'null'], description });
const int = (description: string): JsonSchema => ({ type: 'integer', description });
const bool = (description: string): JsonSchema => ({ type: 'boolean', description });
const time = (description: string): JsonSchema => ({ type: 'string', format: 'date-time', description });
const object = (description: string, properties: Record<string, JsonSchema>): JsonSchema => ({ type: 'object', description, properties });

const consentView = object("An account's consent to AI edits of its photos.", {
  account: str('The account id.'),
  allow_ai_edits_by_others: bool('Whether other accounts may have AI edit photos of this person (default false).'),
  allow_ai_edits_by_self: bool('Whether the person may have AI edit their own photos (default true).'),
  stored: bool('False when the account never set anything and the defaults apply.'),
  updated_at: { type: ['string', 'null'], format: 'date-time', description: 'When the settings last changed; null for defaults.' },
});

const bankView = object('A hash bank.', {
  name: str('The bank name.'),
  purpose: str('What the bank is for: csam, ncii, takedown, review or test; the policy decides per purpose.'),
  description: nullableStr('What the bank holds and where it comes from.'),
  active: bool('Whether screening matches against it.'),
  min_quality: int('The lowest PDQ quality a hash may have to be imported.'),
  max_distance: int('How many of the 256 PDQ bits may differ for a match.'),
  created_at: time('When the bank was created.'),
  created_by: str('The key id (or cli) that created it.'),
});

export const responseSchemas: Record<string, JsonSchema> = {
  ConsentView: consentView,
  ConsentErased: object('What erasing an account did.', {
    account: str('The account id.'),
    erased: bool('True when settings or protected photos were stored and are now gone.'),
    now: { ...consentView, description: 'The settings as they now stand (the defaults).' },
  }),
  ProtectedHashesAdded: object('The outcome of adding protected photos.', {
    account: str('The account id.'),
    added: int('Hashes stored now (201 when more than 0).'),
    already_present: int('Hashes the account already held.'),
  }),
  ProtectedHashList: object("An account's protected photos, as hashes.", {
    account: str('The account id.'),
    hashes: {
      type: 'array',
      description: 'Each protected photo.',
      items: object('One protected photo.', {
        pdq: str('PDQ hash, 64 hex digits.'),
        quality: int('PDQ quality 0-100.'),
        sha256: nullableStr('SHA-256 of the photo file, when given.'),
        created_at: time('When it was added.'),
      }),
    },
  }),
  Deleted: object('How much was deleted.', { account: str('The account id.'), deleted: int('How many protected hashes were removed.') }),
  Bank: bankView,
  BankList: object('Every bank.', {
    banks: {
      type: 'array',
      description: 'The banks, each with its hash count.',
      items: { allOf: [bankView, object('Its size.', { hashes: int('How many hashes it holds.') })] },
    },
  }),
  BankImport: object('The outcome of an import (all or nothing).', {
    bank: str('The bank name.'),
    submitted: int('Hashes in the request.'),
    added: int('Hashes stored now.'),
    already_present: int('Hashes the bank already held (a re-import changes nothing).'),
  }),
  LedgerMatches: object('Screened outputs near the circulating image, nearest first.', {
    matches: {
      type: 'array',
      description: 'Each ledger entry within max_distance, or with the same SHA-256.',
      items: object('One screened output.', {
        distance: int('PDQ Hamming distance to the image looked up (0 for an exact SHA-256 match).'),
        decision_id: str('The decision on the output.'),
        request_id: str('The decision on the request that produced it.'),
        requester_id: nullableStr('The account that asked for it.'),
        decision: str('What was decided on the output: allow, review or block.'),
        pdq: nullableStr('PDQ hash of the output.'),
        quality: { type: ['integer', 'null'], description: 'PDQ quality of the output.' },
        sha256: str('SHA-256 of the output file.'),
        created_at: time('When the output was screened.'),
      }),
    },
  }),
  AuditPage: object('A page of the audit chain.', {
    entries: {
      type: 'array',
      description: 'Entries in chain order, each with every field its hash covers.',
      items: object('One audit entry.', {
        seq: int('Its position in the chain, from 1.'),
        created_at: time('When it was appended.'),
        kind: str('What happened, e.g. decision, case.remove, api_key_created.'),
        subject: str('What it is about: a decision, case, key or bank id.'),
        actor: str('Who did it: a key id, cli, public, automatic or policy.'),
        payload: { type: 'object', description: 'The details the entry records (never a reporter’s contact details).' },
        prev_hash: str("The previous entry's hash (64 zeros for the first)."),
        hash: str('SHA-256 over this entry and prev_hash: change any entry and every later hash breaks.'),
      }),
    },
    next_after: { type: ['integer', 'null'], description: 'Pass as `after` for the next page; null at the end of the chain.' },
  }),
  AuditCheckpoint: object('A signed statement of the chain length and head hash.', {
    format: str('perisai-audit-checkpoint/1.'),
    seq: int('How many entries the chain had.'),
    head_hash: str('The hash of entry `seq`.'),
    created_at: time('When it was signed.'),
    key_id: str('SHA-256 of the signing public key (SPKI DER), hex.'),
    public_key: str('The Ed25519 public key, SPKI DER in base64, to verify without the private key.'),
    signature: str('Ed25519 over the canonical JSON of every other field, base64.'),
  }),
};
