/**
 * The report form: shows the deadline for the country and kind of content as they are chosen.
 * Without this script the form works the same; the deadline then shows on the confirmation.
 */
const form = document.querySelector<HTMLFormElement>('#report-form');
const deadline = document.querySelector<HTMLElement>('#deadline');

if (form && deadline) {
  const update = async (): Promise<void> => {
    const data = new FormData(form);
    const query = new URLSearchParams({ lang: deadline.dataset['lang'] ?? 'en' });
    for (const name of ['jurisdiction', 'category', 'reporter_type']) {
      const value = data.get(name);
      if (typeof value === 'string' && value !== '') query.set(name, value);
    }
    try {
      const response = await fetch(`/console/report/deadline?${query.toString()}`, { credentials: 'same-origin' });
      if (!response.ok) return;
      const body = (await response.json()) as { text?: string };
      if (body.text) deadline.textContent = body.text;
    } catch {
      // Offline for a moment: the confirmation page still gives the deadline.
    }
  };
  form.addEventListener('change', (event) => {
    const target = event.target as HTMLInputElement | null;
    if (target && ['jurisdiction', 'category', 'reporter_type'].includes(target.name)) void update();
  });
}
