import type { NavLink } from './layout.js';

/** The header links of the signed-in pages. */
export const REVIEWER_NAV: NavLink[] = [
  { href: '/console/cases', label: 'Queue' },
  { href: '/console/preferences', label: 'Preferences' },
];
