// cbor-x loads its optional native accelerator in a try/catch and falls back to JavaScript when
// it cannot: this stand-in always makes it fall back (see package.json).
throw new Error('cbor-extract is not installed here: cbor-x decodes with its JavaScript implementation.');
