/**
 * The console's languages. Public pages (report, consent) speak at least English and Indonesian;
 * the language comes from `?lang=`, then the `perisai_lang` cookie the switch sets, then
 * Accept-Language, then English. Each page keeps its own messages next to it
 * (`defineMessages`), so the compiler holds every language to the same keys.
 */
export const LANGS = ['en', 'id'] as const;
export type Lang = (typeof LANGS)[number];

export const LANG_NAMES: Record<Lang, string> = { en: 'English', id: 'Bahasa Indonesia' };

export const LANG_COOKIE = 'perisai_lang';

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}

/** Picks the best supported language from an Accept-Language header (q-values honoured). */
export function fromAcceptLanguage(header: string | undefined): Lang | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { base: tag.trim().toLowerCase().split('-')[0] ?? '', q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((entry) => entry.base !== '' && Number.isFinite(entry.q) && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  // Malay readers get Indonesian rather than English: the two are mutually intelligible.
  for (const entry of ranked) {
    if (isLang(entry.base)) return entry.base;
    if (entry.base === 'ms') return 'id';
  }
  return undefined;
}

export function negotiateLang(input: { query?: unknown; cookie?: string | undefined; acceptLanguage?: string | undefined }): Lang {
  if (isLang(input.query)) return input.query;
  if (isLang(input.cookie)) return input.cookie;
  return fromAcceptLanguage(input.acceptLanguage) ?? 'en';
}

export type Messages<K extends string> = Record<Lang, Record<K, string>>;

/** A page's messages in every language; `{name}` placeholders are filled by `format`. */
export function defineMessages<K extends string>(messages: Messages<K>): (lang: Lang, key: K, values?: Record<string, string | number>) => string {
  return (lang, key, values) => format(messages[lang][key], values);
}

export function format(template: string, values: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
