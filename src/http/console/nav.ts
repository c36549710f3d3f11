import type { ConsoleSession } from '../../services/console-users.js';
import type { NavLink } from './layout.js';

/** The header links of the signed-in pages. */
export const REVIEWER_NAV: NavLink[] = [
  { href: '/console/cases', label: 'Queue' },
  { href: '/console/preferences', label: 'Preferences' },
];

/** The admin pages; linked only for admins (a reviewer would only be refused there). */
export const ADMIN_NAV: NavLink[] = [
  { href: '/console/admin/banks', label: 'Banks' },
  { href: '/console/admin/accounts', label: 'Accounts' },
  { href: '/console/admin/users', label: 'Users' },
  { href: '/console/admin/keys', label: 'API keys' },
];

/** The links a signed-in person sees: admins get the admin pages too. */
export function navFor(session: ConsoleSession | null | undefined): NavLink[] {
  return session?.user.role === 'admin' ? [...REVIEWER_NAV, ...ADMIN_NAV] : REVIEWER_NAV;
}
