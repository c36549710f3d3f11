/**
 * Draws the transparency dashboard's charts with the vendored uPlot (loaded before this module as
 * a classic script, so it is a global). Every figure is also in the table under each chart: the
 * charts are for the eye, the tables for screen readers and for copying.
 */

interface Series {
  weeks: string[];
  blocked: Record<string, number[]>;
  reports: Record<string, number[]>;
  withinDeadline: Record<string, Array<number | null>>;
}

interface UPlotOptions {
  width: number;
  height: number;
  scales: Record<string, { time: boolean; range?: [number, number] }>;
  axes: Array<{ values?: (self: unknown, ticks: number[]) => string[]; label?: string }>;
  series: Array<{ label?: string; stroke?: string; width?: number; points?: { show: boolean } }>;
}

declare const uPlot: new (
  options: UPlotOptions,
  data: Array<Array<number | null>>,
  target: HTMLElement,
) => { setSize(size: { width: number; height: number }): void };

// Colours distinguishable with the common colour-vision deficiencies (Okabe–Ito).
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

function draw(target: HTMLElement, weeks: string[], series: Record<string, Array<number | null>>, percent: boolean): void {
  const names = Object.keys(series);
  const x = weeks.map((_, i) => i);
  const width = Math.max(280, Math.min(target.clientWidth || 640, 960));
  const chart = new uPlot(
    {
      width,
      height: 240,
      scales: { x: { time: false }, y: percent ? { time: false, range: [0, 100] } : { time: false } },
      axes: [{ values: (_self, ticks) => ticks.map((tick) => weeks[Math.round(tick)]?.slice(5) ?? '') }, { label: percent ? '%' : '' }],
      series: [{}, ...names.map((name, i) => ({ label: name, stroke: COLOURS[i % COLOURS.length], width: 2, points: { show: true } }))],
    },
    [x, ...names.map((name) => series[name] ?? [])],
    target,
  );
  window.addEventListener('resize', () => chart.setSize({ width: Math.max(280, Math.min(target.clientWidth || 640, 960)), height: 240 }));
}

const holder = document.getElementById('transparency-data');
if (holder && typeof uPlot === 'function') {
  const data = JSON.parse(holder.dataset['series'] ?? '{}') as Series;
  const sources: Record<string, { values: Record<string, Array<number | null>>; percent: boolean }> = {
    blocked: { values: data.blocked, percent: false },
    reports: { values: data.reports, percent: false },
    deadline: { values: data.withinDeadline, percent: true },
  };
  for (const target of document.querySelectorAll<HTMLElement>('.chart[data-series]')) {
    const source = sources[target.dataset['series'] ?? ''];
    if (source) draw(target, data.weeks, source.values, source.percent);
  }
}
