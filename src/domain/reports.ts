/**
 * Who reports and what about: the closed lists the intake, the cases and the clock rules share.
 * A new reporter type or category is a change to the law's vocabulary, so it lands here once and
 * the clock rules file, the API schema and the queue filters follow from it.
 */
export const REPORTER_TYPES = ['depicted_person', 'user', 'trusted_flagger', 'regulator', 'law_enforcement'] as const;
export type ReporterType = (typeof REPORTER_TYPES)[number];

export const REPORT_CATEGORIES = ['ncii', 'csam', 'sexual_deepfake', 'nudity', 'other'] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];

/**
 * The report category a screening decision's categories amount to, the gravest first: the
 * vocabulary cases, statements and transparency figures share.
 */
export function reportCategoryOf(categories: readonly string[]): ReportCategory {
  if (categories.includes('minor_sexual')) return 'csam';
  if (categories.includes('sexualize_real_person') || categories.includes('consent_withheld')) return 'sexual_deepfake';
  if (categories.includes('nudity') || categories.includes('sexual_violence')) return 'nudity';
  return 'other';
}
