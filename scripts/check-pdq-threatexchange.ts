/**
 * Checks Perisai's PDQ against the ThreatExchange reference vectors, which are read in place
 * and never copied into the repository (the photos carry no licence).
 *
 *   node --import tsx scripts/check-pdq-threatexchange.ts [DIR]
 *
 * DIR defaults to ../shared/vectors/pdq/threatexchange relative to the repository root.
 * Exit code 0 when every pixel file matches exactly (hash, quality, 8 dihedrals) and every
 * original of quality >= 80 decodes through sharp to within 10 bits.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { decodeImage } from '../src/image/decode.js';
import { DIHEDRALS, hammingDistance, pdqHash, pdqHashWithDihedrals } from '../src/pdq/index.js';

export const DEFAULT_THREATEXCHANGE_DIR = resolve(fileURLToPath(new URL('..', import.meta.url)), '../shared/vectors/pdq/threatexchange');

export interface ThreatExchangeReport {
  files: number;
  pixelExact: number;
  dihedralExact: number;
  /** Originals decoded by sharp: Hamming distance to the reference hash, by file. */
  decodeDistances: { file: string; quality: number; distance: number }[];
  failures: string[];
}

function tsv(path: string): string[][] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'));
}

export async function checkThreatExchange(dir = DEFAULT_THREATEXCHANGE_DIR): Promise<ThreatExchangeReport> {
  const expected = tsv(join(dir, 'EXPECTED.tsv'));
  const dihedral = new Map(tsv(join(dir, 'DIHEDRAL.tsv')).map((c) => [c[0], c] as const));
  const report: ThreatExchangeReport = {
    files: expected.length,
    pixelExact: 0,
    dihedralExact: 0,
    decodeDistances: [],
    failures: [],
  };
  for (const [file, hash, qualityText, , , , , , pixelsFile] of expected) {
    const quality = Number(qualityText);
    // Pixel files are lossless PNGs of exactly what the reference hashed.
    const pixels = await decodeImage(readFileSync(join(dir, pixelsFile)));
    const dih = pdqHashWithDihedrals(pixels);
    if (dih.hashes.orig === hash && dih.quality === quality) report.pixelExact++;
    else report.failures.push(`${pixelsFile}: got ${dih.hashes.orig},${dih.quality} want ${hash},${quality}`);
    const row = dihedral.get(file);
    const wrong = row ? DIHEDRALS.filter((d, i) => dih.hashes[d] !== row[i + 1]) : ['(missing row)'];
    if (wrong.length === 0 && row && Number(row[9]) === dih.quality) report.dihedralExact++;
    else report.failures.push(`${pixelsFile}: dihedrals differ: ${wrong.join(' ')}`);

    const original = await decodeImage(readFileSync(join(dir, file)));
    const distance = hammingDistance(pdqHash(original).hash, hash);
    report.decodeDistances.push({ file, quality, distance });
    if (quality >= 80 && distance > 10) report.failures.push(`${file}: ${distance} bits through sharp`);
  }
  return report;
}

async function main(): Promise<void> {
  const dir = process.argv[2] ? resolve(process.argv[2]) : DEFAULT_THREATEXCHANGE_DIR;
  if (!existsSync(join(dir, 'EXPECTED.tsv'))) {
    console.error(`No ThreatExchange vectors at ${dir}; pass the folder as the first argument.`);
    process.exitCode = 2;
    return;
  }
  const r = await checkThreatExchange(dir);
  const ds = r.decodeDistances.map((d) => d.distance);
  const hist = new Map<number, number>();
  for (const d of ds) hist.set(d, (hist.get(d) ?? 0) + 1);
  console.log(`pixel files: ${r.pixelExact}/${r.files} exact hash+quality, ${r.dihedralExact}/${r.files} exact dihedrals`);
  console.log(
    `originals through sharp: max ${Math.max(...ds)} bits; distance histogram ${[...hist]
      .sort((a, b) => a[0] - b[0])
      .map(([d, n]) => `${d}:${n}`)
      .join(' ')}`,
  );
  for (const f of r.failures) console.error(`FAIL ${f}`);
  process.exitCode = r.failures.length === 0 ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
