import type { FaceSignals } from './types.js';

/**
 * Apparent-age cut-off for "possible minor", in the spirit of retail "Challenge 25": apparent
 * age models err by several years either way, so anyone who looks under 25 is treated as
 * possibly under 18. Deliberately conservative: a false "possible minor" costs a blocked
 * sexualising edit, a missed one costs abuse material.
 */
export const CHALLENGE_AGE = 25;

/**
 * True when any detected face looks younger than `threshold` years.
 *
 * `null` faces (detector failed or absent) returns `null`: unknown, which the policy must
 * treat as failing closed, not as "no minor".
 *
 * @example
 * possibleMinor({ count: 1, faces: [{ box: [0, 0, 10, 10], score: 0.9, age: 21 }] }); // true
 */
export function possibleMinor(faces: FaceSignals | null, threshold: number = CHALLENGE_AGE): boolean | null {
  if (faces === null) return null;
  return faces.faces.some((f) => !Number.isFinite(f.age) || f.age < threshold);
}
