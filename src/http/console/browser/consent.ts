/**
 * The consent page: each chosen photo is decoded and hashed here, with src/pdq (the very module
 * the server runs), and only the hashes are sent. The photo is shown from a blob: URL, which
 * never leaves the page.
 */
import { pdqHash } from '../../../pdq/index.js';
import { decodeForPdq, sha256Of } from './pixels.js';

const MIN_QUALITY = 50;

interface Hashed {
  pdq: string;
  quality: number;
  sha256?: string;
}

const form = document.querySelector<HTMLFormElement>('#consent-form');
if (form) setUp(form);

function setUp(form: HTMLFormElement): void {
  const messages = JSON.parse(form.dataset['messages'] ?? '{}') as Record<string, string>;
  const max = Number(form.dataset['max'] ?? '50');
  const say = (key: string, values: Record<string, string | number> = {}): string =>
    (messages[key] ?? key).replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
  const input = form.querySelector<HTMLInputElement>('#photos')!;
  const list = form.querySelector<HTMLUListElement>('#photo-list')!;
  const status = form.querySelector<HTMLElement>('#consent-status')!;
  const account = form.querySelector<HTMLInputElement>('#account')!;
  const button = form.querySelector<HTMLButtonElement>('#protect')!;
  const csrf = form.querySelector<HTMLInputElement>('input[name="csrf"]')!.value;
  let hashed: Hashed[] = [];
  let urls: string[] = [];
  let pending: Promise<void> = Promise.resolve();

  input.addEventListener('change', () => {
    pending = hashAll(Array.from(input.files ?? []));
  });

  async function hashAll(files: File[]): Promise<void> {
    for (const url of urls) URL.revokeObjectURL(url);
    urls = [];
    hashed = [];
    list.replaceChildren();
    status.textContent = '';
    if (files.length > max) {
      status.replaceChildren(note(say('js_too_many', { max }), 'error'));
      return;
    }
    for (const [index, file] of files.entries()) {
      const item = document.createElement('li');
      item.className = 'photo';
      const url = URL.createObjectURL(file);
      urls.push(url);
      const img = document.createElement('img');
      img.src = url;
      img.alt = say('js_photo', { n: index + 1, name: file.name });
      img.width = 96;
      const text = document.createElement('div');
      const name = document.createElement('p');
      name.textContent = say('js_photo', { n: index + 1, name: file.name });
      const detail = document.createElement('p');
      detail.textContent = say('js_computing');
      text.append(name, detail);
      item.append(img, text);
      list.append(item);
      try {
        const pixels = await decodeForPdq(file);
        const { hash, quality } = pdqHash(pixels);
        const sha256 = await sha256Of(file);
        const code = document.createElement('code');
        code.className = 'pdq';
        code.dataset['quality'] = String(quality);
        code.textContent = hash;
        const q = document.createElement('p');
        q.className = 'quality';
        q.textContent = say('js_quality', { quality });
        detail.replaceChildren(code);
        text.append(q);
        if (pixels.translucent) text.append(note(say('js_alpha')));
        if (quality < MIN_QUALITY) text.append(note(say('js_too_plain', { min: MIN_QUALITY }), 'error'));
        else hashed.push({ pdq: hash, quality, ...(sha256 ? { sha256 } : {}) });
      } catch (error) {
        detail.textContent = say('js_unreadable', { message: error instanceof Error ? error.message : String(error) });
        detail.className = 'error';
      }
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void pending.then(send);
  });

  async function send(): Promise<void> {
    if (hashed.length === 0) {
      status.replaceChildren(note(say('js_none', { min: MIN_QUALITY }), 'error'));
      return;
    }
    button.disabled = true;
    status.textContent = say('js_sending', { n: hashed.length });
    try {
      const response = await fetch('/console/consent/protect', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-perisai-csrf': csrf, 'accept-language': document.documentElement.lang },
        body: JSON.stringify({ account: account.value.trim(), hashes: hashed, lang: form.dataset['lang'] }),
        credentials: 'same-origin',
      });
      const body = (await response.json().catch(() => ({}))) as {
        message?: string;
        owner?: string;
        reference?: string;
        added?: number;
        already_present?: number;
      };
      if (!response.ok) {
        status.replaceChildren(note(say('js_failed', { message: body.message ?? String(response.status) }), 'error'));
        return;
      }
      const values = { added: body.added ?? 0, present: body.already_present ?? 0, owner: body.owner ?? '', reference: body.reference ?? '' };
      const done = note(say(body.reference ? 'js_done_anon' : 'js_done_account', values), 'notice');
      done.id = 'consent-done';
      if (body.reference) done.dataset['reference'] = body.reference;
      status.replaceChildren(done);
    } catch {
      status.replaceChildren(note(say('js_network'), 'error'));
    } finally {
      button.disabled = false;
    }
  }
}

function note(text: string, className = 'hint'): HTMLParagraphElement {
  const p = document.createElement('p');
  p.className = className;
  p.textContent = text;
  return p;
}
