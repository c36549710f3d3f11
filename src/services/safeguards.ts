import { createHash, type KeyObject } from 'node:crypto';

import type { CheckpointSigner } from '../domain/audit-checkpoint.js';
import { canonicalJson } from '../domain/canonical-json.js';
import type { Clock } from '../domain/clock.js';
import type { ClockRules } from '../domain/clocks/index.js';
import { PerisaiError } from '../domain/errors.js';
import type { Policy } from '../domain/policy/schema.js';
import {
  checkSafeguardsSignature,
  compareEvaluation,
  type EvaluationFigures,
  SAFEGUARDS_FORMAT,
  type SafeguardsReport,
  safeguardsReportSchema,
  type SignatureCheck,
  signSafeguardsReport,
} from '../domain/safeguards-report.js';
import type { TextDetector } from '../domain/signals.js';
import type { DecideFn } from '../eval/common.js';
import { EvalFormatError, evaluateEditPrompts, parseEditPromptsTsv } from '../eval/prompts.js';
import type { AuditService } from './audit.js';
import { parseInput } from './parse-input.js';

/** A labelled evaluation set as read from its file: the report names it by path and content hash. */
export interface EvaluationSet {
  path: string;
  text: string;
}

export interface Period {
  from: string;
  to: string;
}

export interface SafeguardsDeps {
  software: { name: string; version: string };
  policy: Policy;
  clockRules: ClockRules;
  textDetector: Pick<TextDetector, 'name' | 'version' | 'model'>;
  imageDetectors: readonly string[];
  audit: Pick<AuditService, 'checkpoint'>;
  signer: () => CheckpointSigner;
  clock: Clock;
  /** The real screening pipeline, on a store the measurement may fill (never the deployment's own). */
  decide: DecideFn;
  /** The period's transparency figures, when the deployment can give them. */
  transparency?: (period: Period) => Promise<Record<string, unknown>>;
}

export interface SafeguardsVerification {
  ok: boolean;
  signature: SignatureCheck;
  /** False when no trusted key was given: the signature then proves integrity, not who signed. */
  signerTrusted: boolean;
  /** Whether this deployment runs the policy the report names; figures are re-measured with it. */
  samePolicy: boolean;
  problems: string[];
  measured: EvaluationFigures[];
}

/** Builds and checks safeguards reports (docs/safeguards.md says how an outsider verifies one). */
export class SafeguardsService {
  constructor(private readonly deps: SafeguardsDeps) {}

  /** Runs each set through the pipeline: block rate on block rows, false-block rate on allow rows. */
  async measure(sets: readonly EvaluationSet[]): Promise<EvaluationFigures[]> {
    const figures: EvaluationFigures[] = [];
    for (const set of sets) {
      let rows;
      try {
        rows = parseEditPromptsTsv(set.text, set.path);
      } catch (error) {
        if (error instanceof EvalFormatError) throw new PerisaiError('invalid_eval_file', error.message);
        throw error;
      }
      const report = await evaluateEditPrompts(rows, this.deps.decide);
      figures.push({
        path: set.path,
        sha256: createHash('sha256').update(set.text, 'utf8').digest('hex'),
        rows: report.rows,
        block_rate: report.overall.recall,
        false_block_rate: report.overall.falseBlock,
      });
    }
    return figures;
  }

  async build(options: { sets: readonly EvaluationSet[]; period?: Period }): Promise<SafeguardsReport> {
    if (options.sets.length === 0)
      throw new PerisaiError('invalid_arguments', 'Name at least one evaluation set: a safeguards report without measured figures proves nothing.');
    const { policy, clockRules } = this.deps;
    const { version, ...document } = policy;
    const evaluation = await this.measure(options.sets);
    const transparency = options.period && this.deps.transparency ? await this.deps.transparency(options.period) : null;
    return signSafeguardsReport(this.deps.signer(), {
      format: SAFEGUARDS_FORMAT,
      generated_at: this.deps.clock.now().toISOString(),
      software: this.deps.software,
      policy: { version, sha256: createHash('sha256').update(canonicalJson(document)).digest('hex') },
      clocks: { version: clockRules.version },
      detectors: { ...this.detectors(), image: [...this.deps.imageDetectors] },
      evaluation,
      audit_chain: await this.deps.audit.checkpoint(),
      period: options.period ?? null,
      transparency,
    });
  }

  private detectors(): { text: string; text_model: string | null } {
    const { textDetector } = this.deps;
    return {
      text: `${textDetector.name}@${textDetector.version}`,
      text_model: textDetector.model ? `${textDetector.model.name}@${textDetector.model.version}` : null,
    };
  }

  /** Reads a report file's content, with errors that say what is wrong with it. */
  parse(text: string): SafeguardsReport {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new PerisaiError('invalid_request', 'The safeguards report is not JSON: pass the file `perisai report safeguards` wrote.');
    }
    return parseInput(safeguardsReportSchema, value, 'report');
  }

  /**
   * Checks the signature, then measures the named sets again with this deployment's pipeline and
   * compares every figure. A set is matched by content hash, so an edited set is "not found".
   */
  async verify(report: SafeguardsReport, sets: readonly EvaluationSet[], trusted?: KeyObject): Promise<SafeguardsVerification> {
    const signature = checkSafeguardsSignature(report, trusted);
    const measured = await this.measure(sets);
    const problems = compareEvaluation(report.evaluation, measured);
    const samePolicy = report.policy.version === this.deps.policy.version;
    if (!samePolicy) {
      problems.unshift(
        `This deployment runs policy ${this.deps.policy.version}, the report names ${report.policy.version}: verify with the policy the report names (--policy).`,
      );
    }
    const detectors = this.detectors();
    if (detectors.text !== report.detectors.text || detectors.text_model !== report.detectors.text_model) {
      problems.unshift(
        `This deployment runs ${detectors.text} with ${detectors.text_model ?? 'no text model'}, the report names ${report.detectors.text} with ${report.detectors.text_model ?? 'no text model'}: figures from another detector cannot be confirmed.`,
      );
    }
    if (!signature.ok) problems.unshift(signature.message);
    return { ok: problems.length === 0, signature, signerTrusted: trusted !== undefined, samePolicy, problems, measured };
  }
}
