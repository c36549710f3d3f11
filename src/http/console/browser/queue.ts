/**
 * The queue's little script: every deadline counts down live (the server painted the first
 * value), and keyboard shortcuts for the common actions. Shortcuts never fire while the person
 * types in a field or holds a modifier, so they cannot swallow text.
 */
import { countdownText, SOON_SECONDS } from '../countdown.js';

function tick(): void {
  const now = Date.now();
  for (const el of document.querySelectorAll<HTMLTimeElement>('time[data-countdown]')) {
    const left = Math.floor((new Date(el.dateTime).getTime() - now) / 1000);
    const overdue = left <= 0;
    const text = el.querySelector('.left');
    const flag = el.querySelector('.flag');
    if (text) text.textContent = countdownText(left);
    if (flag) flag.textContent = overdue ? '⚠ ' : '';
    el.classList.toggle('overdue', overdue);
    el.classList.toggle('soon', !overdue && left < SOON_SECONDS);
  }
}

function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target.closest('input, textarea, select, [contenteditable]') !== null;
}

function shortcuts(): void {
  const rows = [...document.querySelectorAll<HTMLTableRowElement>('tr[data-case-row]')];
  const help = document.getElementById('shortcuts') as HTMLDetailsElement | null;
  let current = -1;
  const move = (to: number) => {
    if (rows.length === 0) return;
    current = Math.max(0, Math.min(rows.length - 1, to));
    rows.forEach((row, i) => row.classList.toggle('current', i === current));
    rows[current]!.querySelector<HTMLAnchorElement>('a')?.focus();
  };
  // Focus moved by Tab or a click keeps j/k in step.
  rows.forEach((row, i) => row.addEventListener('focusin', () => (current = i)));
  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const row = rows[current];
    switch (event.key) {
      case 'j':
        move(current + 1);
        break;
      case 'k':
        move(current - 1);
        break;
      case 'Enter':
        // A focused link opens by itself; a selected row without focus opens here.
        if (!row || document.activeElement?.closest('tr') === row) return;
        row.querySelector<HTMLAnchorElement>('a')?.click();
        break;
      case 'x': {
        const box = row?.querySelector<HTMLInputElement>('input[type=checkbox]');
        if (box) box.checked = !box.checked;
        break;
      }
      case 'a': {
        const form = document.getElementById('assign-one') as HTMLFormElement | null;
        const input = form?.querySelector<HTMLInputElement>('input[name=case]');
        if (!row || !form || !input) return;
        input.value = row.dataset.caseId ?? '';
        form.submit();
        break;
      }
      case '?':
        if (help) {
          help.open = !help.open;
          help.querySelector('summary')?.focus();
        }
        break;
      default:
        return;
    }
    event.preventDefault();
  });
}

tick();
setInterval(tick, 1000);
shortcuts();
