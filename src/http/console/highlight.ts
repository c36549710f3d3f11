import { type Html, html } from './html.js';

export interface Span {
  start: number;
  end: number;
  /** What fired here, e.g. "sexualisation: garment.revealing:bikini". */
  label: string;
}

/**
 * The prompt with the words that fired wrapped in <mark>. Spans are offsets into the original
 * prompt (end exclusive); overlapping ones merge into one mark that names every signal. Offsets
 * outside the text are clipped rather than trusted.
 */
export function highlight(text: string, spans: readonly Span[]): Html {
  const clipped = spans
    .map((s) => ({ start: Math.max(0, Math.min(text.length, s.start)), end: Math.max(0, Math.min(text.length, s.end)), label: s.label }))
    .filter((s) => s.end > s.start)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Array<{ start: number; end: number; labels: string[] }> = [];
  for (const span of clipped) {
    const last = merged[merged.length - 1];
    if (last && span.start < last.end) {
      last.end = Math.max(last.end, span.end);
      if (!last.labels.includes(span.label)) last.labels.push(span.label);
    } else {
      merged.push({ start: span.start, end: span.end, labels: [span.label] });
    }
  }
  const parts: Array<Html | string> = [];
  let at = 0;
  for (const span of merged) {
    parts.push(text.slice(at, span.start));
    parts.push(html`<mark title="${span.labels.join('; ')}">${text.slice(span.start, span.end)}</mark>`);
    at = span.end;
  }
  parts.push(text.slice(at));
  return html`${parts}`;
}
