import type { PolicyDocument } from './schema.js';

/**
 * Whether an allowed output for this jurisdiction gets a visible "AI-generated" label drawn on
 * it. The policy lists jurisdictions that differ from its default; codes are compared in
 * capitals because requests may name the country in either case.
 */
export function visibleLabelFor(policy: Pick<PolicyDocument, 'provenance'>, jurisdiction: string | null | undefined): boolean {
  const label = policy.provenance.visible_label;
  if (!jurisdiction) return label.default;
  return label.jurisdictions[jurisdiction.toUpperCase()] ?? label.default;
}
