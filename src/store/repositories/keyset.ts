/**
 * Walks a table in pages by an increasing key ("keyset pagination"), so scans of millions of
 * rows (exports, index builds, audit verification) keep memory flat and never skip or repeat
 * a row the way OFFSET paging can while rows are being added.
 */
export async function* keysetPages<Row>(fetchAfter: (after: number) => Promise<Row[]>, keyOf: (row: Row) => number, start = 0): AsyncGenerator<Row> {
  let after = start;
  for (;;) {
    const rows = await fetchAfter(after);
    if (rows.length === 0) return;
    yield* rows;
    after = keyOf(rows[rows.length - 1]!);
  }
}
