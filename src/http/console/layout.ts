import { type Html, html, type HtmlValue } from './html.js';
import { type Lang, LANG_NAMES, LANGS } from './i18n.js';

export interface NavLink {
  href: string;
  label: string;
}

export interface PageOptions {
  lang: Lang;
  title: string;
  body: HtmlValue;
  /** Links in the header; the current page is marked with aria-current. */
  nav?: NavLink[];
  current?: string;
  /** Module scripts under /console/assets/, loaded at the end of the body. */
  scripts?: string[];
  /** Classic scripts under /console/assets/ (a vendored library's global), run before the modules. */
  classicScripts?: string[];
  /** Extra stylesheets under /console/assets/. */
  styles?: string[];
  /** The path the language switch links to (its `?lang=` is appended); none: no switch. */
  langSwitch?: string;
  /** Who is signed in, shown with the sign-out form. */
  user?: { email: string; csrf: string } | undefined;
}

/**
 * The one HTML shell of every console page: the language, a skip link, the header with the
 * navigation and the language switch, the content, and the page's scripts. No remote assets:
 * the stylesheet and scripts are served from /console/assets.
 */
export function page(options: PageOptions): string {
  const nav = options.nav ?? [];
  const doc: Html = html`<!doctype html>
    <html lang="${options.lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title} · Perisai</title>
        <link rel="stylesheet" href="/console/assets/console.css" />
        ${(options.styles ?? []).map((href) => html`<link rel="stylesheet" href="/console/assets/${href}" />`)}
      </head>
      <body>
        <a class="skip" href="#main">${options.lang === 'id' ? 'Langsung ke isi' : 'Skip to content'}</a>
        <header class="top">
          <a class="brand" href="/console">Perisai</a>
          ${
            nav.length > 0
              ? html`<nav aria-label="${options.lang === 'id' ? 'Utama' : 'Main'}">
                  <ul>
                    ${nav.map(
                      (link) => html`<li><a href="${link.href}" ${link.href === options.current ? html`aria-current="page"` : ''}>${link.label}</a></li>`,
                    )}
                  </ul>
                </nav>`
              : ''
          }
          ${
            options.langSwitch
              ? html`<nav class="langs" aria-label="${options.lang === 'id' ? 'Bahasa' : 'Language'}">
                  <ul>
                    ${LANGS.map(
                      (lang) =>
                        html`<li>
                          <a
                            href="${options.langSwitch}?lang=${lang}"
                            hreflang="${lang}"
                            lang="${lang}"
                            ${lang === options.lang ? html`aria-current="true"` : ''}
                            >${LANG_NAMES[lang]}</a
                          >
                        </li>`,
                    )}
                  </ul>
                </nav>`
              : ''
          }
          ${
            options.user
              ? html`<form class="signout" method="post" action="/console/logout">
                  <span>${options.user.email}</span>
                  <input type="hidden" name="csrf" value="${options.user.csrf}" />
                  <button type="submit">Sign out</button>
                </form>`
              : ''
          }
        </header>
        <main id="main" tabindex="-1">${options.body}</main>
        ${(options.classicScripts ?? []).map((src) => html`<script src="/console/assets/${src}"></script>`)}
        ${(options.scripts ?? []).map((src) => html`<script type="module" src="/console/assets/${src}"></script>`)}
      </body>
    </html> `;
  return doc.value;
}
