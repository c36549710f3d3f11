import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

import type { AppContext } from '../../app-context.js';
import { REPORT_CATEGORIES } from '../../domain/reports.js';
import type { TransparencyReport } from '../../domain/transparency.js';
import { html } from './html.js';
import { defineMessages, type Lang, negotiateLang } from './i18n.js';
import { page } from './layout.js';
import { publicNav } from './public/nav.js';
import { loadSession, readCookies } from './session.js';

/** Weeks the dashboard shows, newest last. */
export const DASHBOARD_WEEKS = 12;
const WEEK_MS = 7 * 24 * 3600 * 1000;
/** A public page reads the store once a minute at most, however often it is loaded. */
const CACHE_MS = 60_000;

const t = defineMessages({
  en: {
    title: 'Transparency',
    intro:
      'What Perisai refused, what was reported, and how fast reports were acted on, week by week over the last {weeks} weeks. Every figure comes from the transparency report (GET /v1/transparency).',
    blocked: 'Refused requests by category, per week',
    blockedAlt: 'Refused requests by category and week',
    reports: 'Reports received per jurisdiction, per week',
    reportsAlt: 'Reports received by jurisdiction and week',
    deadline: 'Share of reports decided within the legal deadline, per jurisdiction (%)',
    deadlineAlt: 'Share decided within the deadline by jurisdiction and week',
    summary: 'The whole {weeks} weeks per jurisdiction',
    week: 'Week from',
    jurisdiction: 'Jurisdiction',
    received: 'Reports',
    median: 'Median time to action',
    p90: '90th percentile',
    within: 'Within deadline',
    appeals: 'Appeals (reversed)',
    none: 'Nothing recorded yet.',
    report: 'Report content',
    consent: 'Protect your photos',
    reviewers: 'Reviewers: sign in',
    landing:
      'Perisai keeps AI image tools from undressing or sexualising real people and from sexualising children. Here you can report content, protect your photos, and see what the service did.',
    transparencyLink: 'Transparency figures',
    figures: 'The figures, week by week',
  },
  id: {
    title: 'Transparansi',
    intro:
      'Apa yang ditolak Perisai, apa yang dilaporkan, dan seberapa cepat laporan ditindaklanjuti, per minggu selama {weeks} minggu terakhir. Semua angka berasal dari laporan transparansi (GET /v1/transparency).',
    blocked: 'Permintaan yang ditolak per kategori, per minggu',
    blockedAlt: 'Permintaan yang ditolak per kategori dan minggu',
    reports: 'Laporan yang diterima per yurisdiksi, per minggu',
    reportsAlt: 'Laporan yang diterima per yurisdiksi dan minggu',
    deadline: 'Bagian laporan yang diputus dalam tenggat hukum, per yurisdiksi (%)',
    deadlineAlt: 'Bagian yang diputus dalam tenggat per yurisdiksi dan minggu',
    summary: 'Seluruh {weeks} minggu per yurisdiksi',
    week: 'Minggu mulai',
    jurisdiction: 'Yurisdiksi',
    received: 'Laporan',
    median: 'Median waktu tindakan',
    p90: 'Persentil ke-90',
    within: 'Dalam tenggat',
    appeals: 'Banding (dibatalkan)',
    none: 'Belum ada catatan.',
    report: 'Laporkan konten',
    consent: 'Lindungi foto Anda',
    reviewers: 'Peninjau: masuk',
    landing:
      'Perisai mencegah alat gambar AI menelanjangi atau menyeksualisasi orang sungguhan dan menyeksualisasi anak-anak. Di sini Anda dapat melaporkan konten, melindungi foto Anda, dan melihat apa yang dilakukan layanan ini.',
    transparencyLink: 'Angka transparansi',
    figures: 'Angka per minggu',
  },
});

/** What the browser script draws: one row per week, one column per series. */
export interface DashboardSeries {
  weeks: string[];
  blocked: Record<string, number[]>;
  reports: Record<string, number[]>;
  withinDeadline: Record<string, Array<number | null>>;
}

/**
 * Turns one transparency report per week into chart series: refused screenings per report
 * category, reports received per jurisdiction, and the share decided within the deadline.
 */
export function dashboardSeries(weeks: readonly TransparencyReport[]): DashboardSeries {
  const jurisdictions = [
    ...new Set(weeks.flatMap((week) => week.groups.filter((g) => g.reports.total > 0 || g.deadline.due > 0).map((g) => g.jurisdiction))),
  ].sort();
  const blocked: Record<string, number[]> = {};
  for (const category of REPORT_CATEGORIES) {
    const series = weeks.map((week) => week.groups.filter((g) => g.category === category).reduce((sum, g) => sum + g.screenings.by_outcome.block, 0));
    if (series.some((n) => n > 0)) blocked[category] = series;
  }
  const reports: Record<string, number[]> = {};
  const withinDeadline: Record<string, Array<number | null>> = {};
  for (const jurisdiction of jurisdictions) {
    const groups = weeks.map((week) => week.groups.filter((g) => g.jurisdiction === jurisdiction));
    reports[jurisdiction] = groups.map((gs) => gs.reduce((sum, g) => sum + g.reports.total, 0));
    withinDeadline[jurisdiction] = groups.map((gs) => {
      const due = gs.reduce((sum, g) => sum + g.deadline.due, 0);
      return due === 0 ? null : Math.round((gs.reduce((sum, g) => sum + g.deadline.met, 0) / due) * 1000) / 10;
    });
  }
  return { weeks: weeks.map((week) => week.period.from.slice(0, 10)), blocked, reports, withinDeadline };
}

/**
 * The console's landing page and the transparency dashboard: public by default
 * (PERISAI_CONSOLE_TRANSPARENCY=login puts the dashboard behind sign-in). Server-rendered tables
 * carry every figure; a small script draws them as charts with the vendored uPlot.
 */
export function transparencyPages(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    app.decorateRequest('consoleSession', null);
    app.addHook('onRequest', loadSession(ctx));
    let cached: { at: number; weeks: TransparencyReport[] } | undefined;

    const weeks = async (): Promise<TransparencyReport[]> => {
      const now = ctx.clock.now().getTime();
      if (cached && now - cached.at < CACHE_MS) return cached.weeks;
      // Whole UTC days: the last week ends at the start of tomorrow, so today is included.
      const end = new Date(now);
      end.setUTCHours(24, 0, 0, 0);
      const periods = Array.from({ length: DASHBOARD_WEEKS }, (_, i) => ({
        from: new Date(end.getTime() - (DASHBOARD_WEEKS - i) * WEEK_MS).toISOString(),
        to: new Date(end.getTime() - (DASHBOARD_WEEKS - i - 1) * WEEK_MS).toISOString(),
      }));
      const reports: TransparencyReport[] = [];
      for (const period of periods) reports.push(await ctx.transparency.report(period));
      cached = { at: now, weeks: reports };
      return reports;
    };

    const langOf = (request: FastifyRequest): Lang =>
      negotiateLang({
        query: (request.query as Record<string, unknown> | undefined)?.['lang'],
        cookie: readCookies(request.headers.cookie)['perisai_lang'],
        acceptLanguage: request.headers['accept-language'],
      });
    const nav = (lang: Lang) => [...publicNav(lang), { href: '/console/transparency', label: t(lang, 'title') }];
    const send = (reply: FastifyReply, body: string) => reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);

    app.get('/console', async (request, reply) => {
      const lang = langOf(request);
      return send(
        reply,
        page({
          lang,
          title: 'Perisai',
          nav: nav(lang),
          langSwitch: '/console',
          body: html`<h1>Perisai</h1>
            <p>${t(lang, 'landing')}</p>
            <ul class="links">
              <li><a href="/console/report">${t(lang, 'report')}</a></li>
              <li><a href="/console/consent">${t(lang, 'consent')}</a></li>
              <li><a href="/console/transparency">${t(lang, 'transparencyLink')}</a></li>
              <li><a href="/console/login">${t(lang, 'reviewers')}</a></li>
            </ul>`,
        }),
      );
    });

    app.get('/console/transparency', async (request, reply) => {
      if (ctx.config.consoleTransparency === 'login' && !request.consoleSession) {
        return reply.redirect(`/console/login?next=${encodeURIComponent('/console/transparency')}`, 303);
      }
      const lang = langOf(request);
      const reports = await weeks();
      const series = dashboardSeries(reports);
      const whole = await ctx.transparency.report({ from: reports[0]!.period.from, to: reports.at(-1)!.period.to });
      return send(
        reply,
        page({
          lang,
          title: t(lang, 'title'),
          nav: nav(lang),
          current: '/console/transparency',
          langSwitch: '/console/transparency',
          scripts: ['transparency.js'],
          styles: ['vendor/uplot.css'],
          classicScripts: ['vendor/uplot.js'],
          body: html`<h1>${t(lang, 'title')}</h1>
            <p>${t(lang, 'intro', { weeks: DASHBOARD_WEEKS })}</p>
            ${chartSection(lang, 'blocked', t(lang, 'blocked'), t(lang, 'blockedAlt'), series.weeks, series.blocked)}
            ${chartSection(lang, 'reports', t(lang, 'reports'), t(lang, 'reportsAlt'), series.weeks, series.reports)}
            ${chartSection(lang, 'deadline', t(lang, 'deadline'), t(lang, 'deadlineAlt'), series.weeks, series.withinDeadline)}
            <h2>${t(lang, 'summary', { weeks: DASHBOARD_WEEKS })}</h2>
            ${summaryTable(lang, whole)}
            <div id="transparency-data" hidden data-series="${JSON.stringify(series)}"></div>`,
        }),
      );
    });
  };
}

function chartSection(lang: Lang, id: string, title: string, caption: string, weeks: string[], series: Record<string, Array<number | null>>) {
  const names = Object.keys(series);
  if (names.length === 0)
    return html`<h2>${title}</h2>
      <p class="muted">${t(lang, 'none')}</p>`;
  return html`<h2 id="${id}-title">${title}</h2>
    <div class="chart" data-series="${id}" aria-hidden="true"></div>
    <details>
      <summary>${t(lang, 'figures')}</summary>
      <table class="data">
        <caption>
          ${caption}
        </caption>
        <thead>
          <tr>
            <th scope="col">${t(lang, 'week')}</th>
            ${names.map((name) => html`<th scope="col">${name}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${weeks.map(
            (week, i) =>
              html`<tr>
                <th scope="row">${week}</th>
                ${names.map((name) => html`<td>${series[name]![i] ?? '–'}</td>`)}
              </tr>`,
          )}
        </tbody>
      </table>
    </details>`;
}

function summaryTable(lang: Lang, report: TransparencyReport) {
  const byJurisdiction = new Map<string, TransparencyReport['groups']>();
  for (const group of report.groups) byJurisdiction.set(group.jurisdiction, [...(byJurisdiction.get(group.jurisdiction) ?? []), group]);
  const rows = [...byJurisdiction.entries()].filter(([, groups]) => groups.some((g) => g.reports.total > 0));
  if (rows.length === 0) return html`<p class="muted">${t(lang, 'none')}</p>`;
  return html`<table class="data">
    <thead>
      <tr>
        <th scope="col">${t(lang, 'jurisdiction')}</th>
        <th scope="col">${t(lang, 'received')}</th>
        <th scope="col">${t(lang, 'median')}</th>
        <th scope="col">${t(lang, 'p90')}</th>
        <th scope="col">${t(lang, 'within')}</th>
        <th scope="col">${t(lang, 'appeals')}</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map(([jurisdiction, groups]) => {
        const sum = (f: (g: TransparencyReport['groups'][number]) => number) => groups.reduce((total, g) => total + f(g), 0);
        // Medians do not add up across categories: the dashboard shows the slowest category's.
        const worst = (f: (g: TransparencyReport['groups'][number]) => number | null) =>
          groups.map(f).reduce<number | null>((max, v) => (v === null ? max : max === null ? v : Math.max(max, v)), null);
        const due = sum((g) => g.deadline.due);
        return html`<tr>
          <th scope="row">${jurisdiction}</th>
          <td>${sum((g) => g.reports.total)}</td>
          <td>${duration(worst((g) => g.time_to_action.median_seconds))}</td>
          <td>${duration(worst((g) => g.time_to_action.p90_seconds))}</td>
          <td>${due === 0 ? '–' : `${Math.round((sum((g) => g.deadline.met) / due) * 100)}% (${sum((g) => g.deadline.met)}/${due})`}</td>
          <td>${sum((g) => g.appeals.received)} (${sum((g) => g.appeals.reversed)})</td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

function duration(seconds: number | null): string {
  if (seconds === null) return '–';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}
