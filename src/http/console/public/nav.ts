import type { Lang } from '../i18n.js';
import type { NavLink } from '../layout.js';

/** The header links of the public pages, in the page's language. */
export function publicNav(lang: Lang): NavLink[] {
  return lang === 'id'
    ? [
        { href: '/console/report', label: 'Laporkan konten' },
        { href: '/console/consent', label: 'Lindungi foto Anda' },
      ]
    : [
        { href: '/console/report', label: 'Report content' },
        { href: '/console/consent', label: 'Protect your photos' },
      ];
}
