/**
 * Values per `in (…)` list. Each value is one bound parameter, and SQLite refuses a statement
 * with more than 32,766 of them, PostgreSQL one with more than 65,535 ("too many SQL
 * variables"): a screening near 33,000 protected photos hit it (Perisai issue 10). A thousand
 * keeps every statement far under both limits, with room for the query's other parameters,
 * and costs one round trip per thousand rows, which the rows themselves outweigh.
 */
export const IN_LIST_CHUNK = 1000;

/**
 * Runs `query` once per chunk of `values` and concatenates the rows, in chunk order. Every
 * `where(column, 'in', list)` over a list whose length the caller (or the data) decides goes
 * through here.
 *
 * Duplicates are dropped first (keeping the first occurrence), so the result is what one
 * statement with the whole list would return: `in (a, a)` yields a row once, and so must a
 * list whose copies of `a` land in different chunks. Rows come back chunk by chunk; a caller
 * that needs one order across all of them passes sorted values and orders each chunk's query
 * the same way (see findLedgerByIds), or sorts afterwards.
 */
export async function inChunks<Value, Row>(values: readonly Value[], query: (chunk: Value[]) => Promise<Row[]>, size: number = IN_LIST_CHUNK): Promise<Row[]> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`inChunks: the chunk size must be a positive integer; got ${size}.`);
  const unique = [...new Set(values)];
  const rows: Row[] = [];
  for (let i = 0; i < unique.length; i += size) {
    for (const row of await query(unique.slice(i, i + size))) rows.push(row);
  }
  return rows;
}
