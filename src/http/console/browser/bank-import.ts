/**
 * The bank page's import: uploads the chosen file as it is and shows a <progress>. The upload
 * goes through XMLHttpRequest rather than fetch because only XHR reports upload progress (a
 * fetch with a streamed body needs HTTP/2, which `perisai serve` does not speak). Once the bytes
 * are sent the bar turns indeterminate: the server parses and imports the list in one
 * transaction, so there is no partial count to show, only the result.
 */
const form = document.getElementById('bank-import') as HTMLFormElement | null;

function messageOf(xhr: XMLHttpRequest): string {
  try {
    const body = JSON.parse(xhr.responseText) as { message?: unknown };
    if (typeof body.message === 'string') return body.message;
  } catch {
    // Not JSON: a limit the server enforced before the route (an oversized body) answers as a page.
  }
  const page = new DOMParser().parseFromString(xhr.responseText, 'text/html');
  return page.querySelector('.error')?.textContent?.trim() || `The import failed (HTTP ${xhr.status}): try again.`;
}

if (form) {
  form.hidden = false;
  const bank = form.querySelector<HTMLSelectElement>('#import-bank')!;
  const format = form.querySelector<HTMLSelectElement>('#import-format')!;
  const file = form.querySelector<HTMLInputElement>('#import-file')!;
  const progress = form.querySelector<HTMLProgressElement>('#import-progress')!;
  const status = form.querySelector<HTMLElement>('#import-status')!;
  const button = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
  const csrf = form.querySelector<HTMLInputElement>('input[name="csrf"]')!.value;

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) {
      status.textContent = 'Choose a hash list file first.';
      return;
    }
    const name = bank.value;
    const query = format.value ? `?format=${encodeURIComponent(format.value)}` : '';
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/console/admin/banks/${encodeURIComponent(name)}/hashes${query}`);
    xhr.setRequestHeader('content-type', 'text/plain; charset=utf-8');
    xhr.setRequestHeader('x-perisai-csrf', csrf);
    button.disabled = true;
    progress.max = chosen.size || 1;
    progress.value = 0;
    status.textContent = `Uploading ${chosen.name}…`;
    xhr.upload.addEventListener('progress', (e) => {
      if (!e.lengthComputable) return;
      progress.max = e.total;
      progress.value = e.loaded;
      status.textContent = `Uploading ${chosen.name}: ${Math.floor((100 * e.loaded) / Math.max(1, e.total))}%`;
    });
    xhr.upload.addEventListener('load', () => {
      progress.removeAttribute('value');
      status.textContent = 'Uploaded; checking and importing the hashes…';
    });
    xhr.addEventListener('load', () => {
      button.disabled = false;
      if (xhr.status !== 200) {
        progress.max = 1;
        progress.value = 0;
        status.textContent = messageOf(xhr);
        return;
      }
      const result = JSON.parse(xhr.responseText) as { added: number; already_present: number; submitted: number; hashes: number | null };
      progress.max = 1;
      progress.value = 1;
      const count = document.querySelector(`[data-bank-count="${CSS.escape(name)}"]`);
      if (count && result.hashes !== null) count.textContent = String(result.hashes);
      status.textContent = `Imported into ${name}: ${result.added} added, ${result.already_present} already present, of ${result.submitted}. The bank holds ${result.hashes ?? '?'} hashes.`;
    });
    xhr.addEventListener('error', () => {
      button.disabled = false;
      progress.max = 1;
      progress.value = 0;
      status.textContent = 'The upload did not reach the server: check the connection and try again.';
    });
    xhr.send(chosen);
  });
}
