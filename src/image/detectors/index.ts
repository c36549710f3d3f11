// Types and light helpers only: importing this does not load tfjs. The model detectors
// (nsfw-detector.ts, face-detector.ts) are imported by the worker module, not the server.
export type { FixedScores } from './fixed-score-detector.js';
export { FixedScoreDetector, NEUTRAL_NUDITY } from './fixed-score-detector.js';
export { CHALLENGE_AGE, possibleMinor } from './possible-minor.js';
export { runDetectors } from './run-detectors.js';
export type { DetectedFace, DetectorFailure, DetectorFailureCode, FaceSignals, ImageDetector, ImageSignals, NuditySignals } from './types.js';
export { DETECTOR_FAILURE_CODES, emptyImageSignals } from './types.js';
