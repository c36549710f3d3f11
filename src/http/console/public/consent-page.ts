import { ACCOUNT_ID_MAX } from '../../../domain/account-id.js';
import { html, type HtmlValue } from '../html.js';
import { defineMessages, type Lang } from '../i18n.js';
import { page } from '../layout.js';
import { CSRF_FIELD } from './csrf.js';
import { publicNav } from './nav.js';

/** Photos one submission from the public page may protect: a person's own photos, not a bank import. */
export const PUBLIC_CONSENT_MAX_PHOTOS = 50;

const MESSAGES = {
  en: {
    title: 'Protect your photos from AI edits',
    intro:
      'Choose photos of yourself. This page computes a fingerprint of each one, a PDQ hash, here on your device. Services that use Perisai then refuse AI edits of these photos, and of copies that were resized or saved again, unless you allow them.',
    only_hashes: 'Only the hashes shown below leave your device. The photos themselves are never uploaded: not to us, not to anyone.',
    noscript:
      'This page needs JavaScript to compute the fingerprints on your device. Without it nothing is sent. You can also ask the platform you use to protect your photos.',
    photos: 'Choose photos',
    list_label: 'Your photos and their hashes',
    photos_help: 'JPEG, PNG, WebP, GIF or AVIF; up to {max} at a time. Nothing is sent until you press the button below.',
    account: 'Your account id on the platform (optional)',
    account_help:
      'If you give it, the photos are protected under that account, and you can still edit them yourself there. Leave it empty to protect them anonymously: you then get a reference with which you can remove them later.',
    submit: 'Send these hashes',
    jpeg_note:
      'For JPEG photos, your browser decodes the image itself and may land a few of the 256 bits away from the server’s decoder; matching allows 31 bits, so the protection holds. PNG photos give exactly the server’s hash.',
    remove_title: 'Remove photos you protected anonymously',
    remove_help: 'Enter the reference you were given (it starts with pr_). All photos protected under it are removed.',
    reference: 'Your reference',
    remove: 'Remove my photos',
    removed: '{n} protected photos were removed.',
    removed_none: 'No photos are protected under this reference: check that you copied it completely.',
    err_reference: 'This is not a reference from this page: it starts with pr_ and has 22 more letters, digits, _ or -.',
    err_csrf: 'This page had expired. Reload it and try again.',
    err_account:
      'The account id must be 1 to {max} characters of A-Z a-z 0-9 . _ : @ + -, exactly as the platform shows it. Check it, or leave it empty to protect the photos anonymously.',
    err_limit:
      'Account {account} already protects {stored} photos and one account may protect at most {limit}, so none of these were added. Send at most {free}, remove photos the account no longer needs through the platform, or leave the account id empty to protect these anonymously.',
    // Used by the script.
    js_computing: 'Computing the fingerprint…',
    js_photo: 'Photo {n}: {name}',
    js_quality: 'Quality {quality} of 100',
    js_too_plain: 'This photo is too plain to be recognised reliably (quality below {min}); it will not be sent. Choose a clearer photo.',
    js_unreadable: 'Your browser could not read this file as an image: {message}',
    js_alpha: 'This photo has transparent parts; the hash may differ from the server’s by a few bits.',
    js_none: 'Choose at least one photo with quality {min} or more first.',
    js_too_many: 'Choose at most {max} photos at a time.',
    js_sending: 'Sending {n} hashes…',
    js_done_account: 'Done: {added} photos are now protected under account {owner} ({present} were already).',
    js_done_anon:
      'Done: {added} photos are now protected ({present} were already). Your reference is {reference}. Keep it private and safe: with it you can remove these photos on this page. We cannot show it to you again.',
    js_failed: 'Nothing was protected: {message}',
    js_network: 'Nothing was protected: the server could not be reached. Check your connection and try again.',
  },
  id: {
    title: 'Lindungi foto Anda dari suntingan AI',
    intro:
      'Pilih foto diri Anda. Halaman ini menghitung sidik jari setiap foto, yaitu hash PDQ, di perangkat Anda sendiri. Layanan yang memakai Perisai lalu menolak suntingan AI atas foto-foto ini, dan atas salinannya yang diubah ukurannya atau disimpan ulang, kecuali Anda mengizinkannya.',
    only_hashes:
      'Hanya hash yang ditampilkan di bawah yang keluar dari perangkat Anda. Fotonya sendiri tidak pernah diunggah: tidak ke kami, tidak ke siapa pun.',
    noscript:
      'Halaman ini memerlukan JavaScript untuk menghitung sidik jari di perangkat Anda. Tanpanya tidak ada yang dikirim. Anda juga dapat meminta platform yang Anda pakai untuk melindungi foto Anda.',
    photos: 'Pilih foto',
    list_label: 'Foto Anda dan hash-nya',
    photos_help: 'JPEG, PNG, WebP, GIF atau AVIF; paling banyak {max} sekaligus. Tidak ada yang dikirim sebelum Anda menekan tombol di bawah.',
    account: 'ID akun Anda di platform (tidak wajib)',
    account_help:
      'Jika diisi, foto dilindungi atas nama akun itu, dan Anda tetap dapat menyuntingnya sendiri di sana. Kosongkan untuk melindunginya tanpa nama: Anda lalu mendapat kode rujukan untuk menghapusnya nanti.',
    submit: 'Kirim hash ini',
    jpeg_note:
      'Untuk foto JPEG, peramban Anda mengurai gambarnya sendiri dan bisa berbeda beberapa dari 256 bit dengan pengurai di server; pencocokan menoleransi 31 bit, jadi perlindungan tetap berlaku. Foto PNG menghasilkan hash yang persis sama dengan server.',
    remove_title: 'Hapus foto yang Anda lindungi tanpa nama',
    remove_help: 'Masukkan kode rujukan yang Anda terima (diawali pr_). Semua foto yang dilindungi dengan kode itu dihapus.',
    reference: 'Kode rujukan Anda',
    remove: 'Hapus foto saya',
    removed: '{n} foto yang dilindungi telah dihapus.',
    removed_none: 'Tidak ada foto yang dilindungi dengan kode ini: periksa apakah Anda menyalinnya lengkap.',
    err_reference: 'Ini bukan kode rujukan dari halaman ini: kode diawali pr_ diikuti 22 huruf, angka, _ atau -.',
    err_csrf: 'Halaman ini sudah kedaluwarsa. Muat ulang lalu coba lagi.',
    err_account:
      'ID akun harus terdiri dari 1 sampai {max} karakter A-Z a-z 0-9 . _ : @ + -, persis seperti yang ditampilkan platform. Periksa lagi, atau kosongkan untuk melindungi foto tanpa nama.',
    err_limit:
      'Akun {account} sudah melindungi {stored} foto dan satu akun paling banyak boleh melindungi {limit}, jadi tidak ada yang ditambahkan. Kirim paling banyak {free}, hapus foto yang tidak diperlukan lagi melalui platform, atau kosongkan ID akun untuk melindungi foto ini tanpa nama.',
    js_computing: 'Menghitung sidik jari…',
    js_photo: 'Foto {n}: {name}',
    js_quality: 'Kualitas {quality} dari 100',
    js_too_plain: 'Foto ini terlalu polos untuk dikenali dengan andal (kualitas di bawah {min}); foto ini tidak dikirim. Pilih foto yang lebih jelas.',
    js_unreadable: 'Peramban Anda tidak dapat membaca berkas ini sebagai gambar: {message}',
    js_alpha: 'Foto ini memiliki bagian transparan; hash-nya bisa berbeda beberapa bit dari hash server.',
    js_none: 'Pilih dulu setidaknya satu foto dengan kualitas {min} atau lebih.',
    js_too_many: 'Pilih paling banyak {max} foto sekaligus.',
    js_sending: 'Mengirim {n} hash…',
    js_done_account: 'Selesai: {added} foto kini dilindungi atas nama akun {owner} ({present} sudah sebelumnya).',
    js_done_anon:
      'Selesai: {added} foto kini dilindungi ({present} sudah sebelumnya). Kode rujukan Anda adalah {reference}. Simpan baik-baik dan rahasiakan: dengan kode itu Anda dapat menghapus foto-foto ini di halaman ini. Kami tidak dapat menampilkannya lagi.',
    js_failed: 'Tidak ada yang dilindungi: {message}',
    js_network: 'Tidak ada yang dilindungi: server tidak dapat dihubungi. Periksa koneksi Anda lalu coba lagi.',
  },
};

export type ConsentMessageKey = keyof (typeof MESSAGES)['en'];
export const consentMessages = defineMessages<ConsentMessageKey>(MESSAGES);

/** The messages the browser script shows, handed over in a data attribute (scripts are files: no inline script). */
function scriptMessages(lang: Lang): Record<string, string> {
  return Object.fromEntries(Object.entries(MESSAGES[lang]).filter(([key]) => key.startsWith('js_')));
}

export interface ConsentPageInput {
  lang: Lang;
  csrf: string;
  /** The outcome of a removal, or its error, shown at the top. */
  removal?: { removed: number } | { error: 'err_reference' | 'err_csrf' };
  reference?: string;
}

export function consentPage(input: ConsentPageInput): string {
  const { lang } = input;
  const t = (key: ConsentMessageKey, values?: Record<string, string | number>) => consentMessages(lang, key, values);
  const removal = input.removal;
  const removalMessage: HtmlValue = !removal
    ? ''
    : 'error' in removal
      ? html`<p class="error" id="reference-error">${t(removal.error)}</p>`
      : html`<p class="notice" role="status">${removal.removed > 0 ? t('removed', { n: removal.removed }) : t('removed_none')}</p>`;
  const referenceInvalid = removal !== undefined && 'error' in removal && removal.error === 'err_reference';
  const body = html`<h1>${t('title')}</h1>
    <p>${t('intro')}</p>
    <p class="notice strong" id="only-hashes"><strong>${t('only_hashes')}</strong></p>
    <noscript><p class="error">${t('noscript')}</p></noscript>
    <form id="consent-form" data-messages="${JSON.stringify(scriptMessages(lang))}" data-max="${PUBLIC_CONSENT_MAX_PHOTOS}" data-lang="${lang}">
      <input type="hidden" name="${CSRF_FIELD}" value="${input.csrf}" />
      <div class="field">
        <label for="photos">${t('photos')}</label>
        <p class="hint" id="photos-help">${t('photos_help', { max: PUBLIC_CONSENT_MAX_PHOTOS })}</p>
        <input type="file" id="photos" name="photos" accept="image/jpeg,image/png,image/webp,image/gif,image/avif" multiple aria-describedby="photos-help" />
      </div>
      <ul id="photo-list" class="photos" aria-label="${t('list_label')}"></ul>
      <div class="field">
        <label for="account">${t('account')}</label>
        <p class="hint" id="account-help">${t('account_help')}</p>
        <input
          type="text"
          id="account"
          name="account"
          maxlength="${ACCOUNT_ID_MAX}"
          autocomplete="username"
          spellcheck="false"
          aria-describedby="account-help"
        />
      </div>
      <p><button type="submit" id="protect">${t('submit')}</button></p>
      <div id="consent-status" role="status" aria-live="polite"></div>
      <p class="hint">${t('jpeg_note')}</p>
    </form>
    <section aria-labelledby="remove-title">
      <h2 id="remove-title">${t('remove_title')}</h2>
      ${removalMessage}
      <form method="post" action="/console/consent/remove?lang=${lang}">
        <input type="hidden" name="${CSRF_FIELD}" value="${input.csrf}" />
        <label for="reference">${t('reference')}</label>
        <p class="hint" id="reference-help">${t('remove_help')}</p>
        <input
          type="text"
          id="reference"
          name="reference"
          value="${input.reference ?? ''}"
          maxlength="40"
          spellcheck="false"
          autocomplete="off"
          aria-describedby="reference-help${referenceInvalid ? ' reference-error' : ''}"
          ${referenceInvalid ? html`aria-invalid="true"` : ''}
        />
        <p><button type="submit" class="secondary">${t('remove')}</button></p>
      </form>
    </section>`;
  return page({ lang, title: t('title'), body, nav: publicNav(lang), current: '/console/consent', langSwitch: '/console/consent', scripts: ['consent.js'] });
}
