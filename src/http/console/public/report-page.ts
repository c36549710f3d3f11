import type { ClockRule } from '../../../domain/clocks/index.js';
import { REPORT_CATEGORIES, REPORTER_TYPES } from '../../../domain/reports.js';
import type { MissingElement, ReportReceipt } from '../../../services/reports.js';
import { html, type HtmlValue } from '../html.js';
import { defineMessages, type Lang } from '../i18n.js';
import { page } from '../layout.js';
import { CSRF_FIELD } from './csrf.js';
import { publicNav } from './nav.js';

const t = defineMessages({
  en: {
    title: 'Report content',
    intro:
      'Tell us about an image or post that shows you, or someone else, without consent, or that is otherwise illegal. You do not need an account. Only the first two questions and one way to find the content are required; the rest makes your report stronger.',
    next_title: 'What happens next',
    next_1: 'You get a case reference straight away. Keep it: it is how you ask about your report.',
    next_2: 'The clock starts now. A trained person reviews the content before the deadline shown below.',
    next_3: 'If the content breaks the law or our rules, it is removed, and a copy of its fingerprint stops it being uploaded again.',
    next_4: 'If you give an email address, we tell you the outcome. We never show your details to the person who posted the content.',
    errors_title: 'Please fix these and send again',
    about_you: 'About you',
    reporter_type: 'Who are you?',
    reporter_type_help: 'If the image shows you, choose the first answer: the law gives the strongest protection to the person shown.',
    rt_depicted_person: 'I am the person shown in it (or acting for them)',
    rt_user: 'I am someone else who saw it',
    rt_trusted_flagger: 'I report for a trusted flagger organisation',
    rt_regulator: 'I report for a regulator',
    rt_law_enforcement: 'I report for law enforcement',
    reporter_name: 'Your name (optional)',
    reporter_name_help: 'European law asks for the name of whoever sends the report; you may leave it out for child sexual abuse material.',
    reporter_email: 'Your email address (optional)',
    reporter_email_help: 'Only to tell you the outcome or ask a question about your report.',
    reporter_contact: 'Other contact details (optional)',
    reporter_contact_help: 'A phone number or postal address, if you prefer not to give an email address.',
    where_what: 'Where and what',
    jurisdiction: 'Which country’s law applies?',
    jurisdiction_help: 'Usually the country you live in. It decides how quickly the law says we must act.',
    choose: 'Choose…',
    category: 'What does the content show?',
    category_help: 'Choose the closest answer; a reviewer can correct it.',
    cat_ncii: 'Intimate or sexual images of a real person shared without their consent',
    cat_csam: 'Sexual images of a child',
    cat_sexual_deepfake: 'A fake sexual image or video of a real person (a “deepfake”)',
    cat_nudity: 'Nudity that should not be there',
    cat_other: 'Something else that is illegal or harmful',
    deadline_label: 'Deadline',
    deadline_pick: 'Choose the country and what the content shows to see how quickly we must act.',
    deadline_statutory: '{hours} ({place}, {title}): the deadline the law gives.',
    deadline_target: '{hours} ({place}, {title}): the law sets no fixed time, so this is our own deadline.',
    hours_1: '1 hour',
    hours_n: '{n} hours',
    content: 'The content',
    content_help: 'Give at least one of these so we can find it.',
    content_url: 'Web address (URL) of the content',
    content_url_help: 'Copy it from your browser’s address bar, e.g. https://example.com/post/123.',
    content_id: 'Content id (optional)',
    content_id_help: 'If the site shows an id for the post or image, paste it here.',
    image: 'The image itself (optional)',
    image_help: 'JPEG, PNG, WebP, GIF or AVIF, up to 20 MB. We compute its fingerprint (hash) to find copies and then discard the image: it is never stored.',
    image_again: 'If you had chosen an image, choose it again: browsers do not keep files after a page is sent.',
    explanation: 'Why should it be removed?',
    explanation_help: 'In your own words. European law asks for an explanation of why the content is illegal.',
    statements: 'Your statements',
    good_faith: 'I believe in good faith that this report is accurate and complete.',
    non_consensual: 'The person shown did not consent to this image being made or shared.',
    signature: 'Your signature (optional)',
    signature_help: 'Type your full name. US law (the TAKE IT DOWN Act) asks for the signature of the person shown or their representative.',
    submit: 'Send the report',
    err_required: 'Answer this question.',
    err_email: 'Enter an email address like name@example.com.',
    err_url: 'Enter the full web address, starting with https://.',
    err_too_long: 'This is too long: shorten it.',
    err_content: 'Give the web address, the content id or the image, so we can find the content.',
    err_jurisdiction: 'Choose a country from the list.',
    err_csrf: 'This form had expired. Check your answers and send it again.',
    err_image_size: 'The image is larger than {limit}: choose a smaller file, or give the web address instead.',
    err_image: 'We could not read this image. {message}',
    received_title: 'Report received',
    received_intro: 'Thank you. Your report is recorded and the clock has started.',
    case_reference: 'Your case reference',
    case_reference_help: 'Keep this reference: quote it if you contact us about this report.',
    report_reference: 'Report number',
    deadline_at: 'We must decide by {at} UTC: {rule}',
    merged: 'Someone already reported this content: your report joined that case, and the earlier deadline applies if it is sooner.',
    removed: 'The image matched content already known to be abusive and was removed straight away.',
    missing_title: 'What your report is missing',
    missing_intro:
      'Your report is accepted and the clock is running. The law also expects the elements below; without them a reviewer may contact you, or the deadline may only start once they arrive. You can send another report with them at any time.',
    missing_none: 'Your report has everything the law asks for.',
    another: 'Send another report',
    protect_link: 'Protect your photos from AI edits',
  },
  id: {
    title: 'Laporkan konten',
    intro:
      'Beri tahu kami tentang gambar atau unggahan yang menampilkan Anda, atau orang lain, tanpa persetujuan, atau yang melanggar hukum. Anda tidak perlu akun. Hanya dua pertanyaan pertama dan satu cara menemukan konten yang wajib; sisanya membuat laporan Anda lebih kuat.',
    next_title: 'Apa yang terjadi selanjutnya',
    next_1: 'Anda langsung mendapat nomor kasus. Simpan nomor itu: dengan nomor itulah Anda menanyakan laporan Anda.',
    next_2: 'Waktu mulai dihitung sekarang. Petugas terlatih meninjau konten sebelum batas waktu di bawah ini.',
    next_3: 'Jika konten melanggar hukum atau aturan kami, konten dihapus, dan sidik jarinya mencegah konten itu diunggah lagi.',
    next_4: 'Jika Anda memberi alamat email, kami memberi tahu hasilnya. Data Anda tidak pernah ditunjukkan kepada orang yang mengunggah konten.',
    errors_title: 'Mohon perbaiki hal berikut lalu kirim lagi',
    about_you: 'Tentang Anda',
    reporter_type: 'Siapa Anda?',
    reporter_type_help: 'Jika gambar itu menampilkan Anda, pilih jawaban pertama: hukum memberi perlindungan terkuat kepada orang yang ditampilkan.',
    rt_depicted_person: 'Saya orang yang ditampilkan (atau mewakilinya)',
    rt_user: 'Saya orang lain yang melihatnya',
    rt_trusted_flagger: 'Saya melapor untuk organisasi pelapor tepercaya',
    rt_regulator: 'Saya melapor untuk regulator',
    rt_law_enforcement: 'Saya melapor untuk aparat penegak hukum',
    reporter_name: 'Nama Anda (tidak wajib)',
    reporter_name_help: 'Hukum Eropa meminta nama pengirim laporan; untuk materi pelecehan seksual anak boleh dikosongkan.',
    reporter_email: 'Alamat email Anda (tidak wajib)',
    reporter_email_help: 'Hanya untuk memberi tahu hasilnya atau bertanya tentang laporan Anda.',
    reporter_contact: 'Kontak lain (tidak wajib)',
    reporter_contact_help: 'Nomor telepon atau alamat pos, jika Anda tidak ingin memberi alamat email.',
    where_what: 'Di mana dan apa',
    jurisdiction: 'Hukum negara mana yang berlaku?',
    jurisdiction_help: 'Biasanya negara tempat Anda tinggal. Ini menentukan seberapa cepat hukum mewajibkan kami bertindak.',
    choose: 'Pilih…',
    category: 'Apa isi konten itu?',
    category_help: 'Pilih jawaban yang paling mendekati; peninjau dapat membetulkannya.',
    cat_ncii: 'Gambar intim atau seksual orang sungguhan yang disebarkan tanpa persetujuannya',
    cat_csam: 'Gambar seksual anak',
    cat_sexual_deepfake: 'Gambar atau video seksual palsu orang sungguhan (“deepfake”)',
    cat_nudity: 'Ketelanjangan yang tidak semestinya ada',
    cat_other: 'Hal lain yang melanggar hukum atau berbahaya',
    deadline_label: 'Batas waktu',
    deadline_pick: 'Pilih negara dan isi konten untuk melihat seberapa cepat kami wajib bertindak.',
    deadline_statutory: '{hours} ({place}, {title}): batas waktu menurut hukum.',
    deadline_target: '{hours} ({place}, {title}): hukum tidak menetapkan waktu pasti, jadi ini batas waktu kami sendiri.',
    hours_1: '1 jam',
    hours_n: '{n} jam',
    content: 'Kontennya',
    content_help: 'Isi setidaknya satu dari ini agar kami dapat menemukannya.',
    content_url: 'Alamat web (URL) konten',
    content_url_help: 'Salin dari bilah alamat peramban Anda, mis. https://example.com/post/123.',
    content_id: 'ID konten (tidak wajib)',
    content_id_help: 'Jika situs menampilkan ID unggahan atau gambar, tempel di sini.',
    image: 'Gambarnya sendiri (tidak wajib)',
    image_help:
      'JPEG, PNG, WebP, GIF atau AVIF, hingga 20 MB. Kami menghitung sidik jarinya (hash) untuk menemukan salinannya lalu membuang gambarnya: gambar tidak pernah disimpan.',
    image_again: 'Jika tadi Anda memilih gambar, pilih lagi: peramban tidak menyimpan berkas setelah halaman dikirim.',
    explanation: 'Mengapa konten ini harus dihapus?',
    explanation_help: 'Dengan kata-kata Anda sendiri. Hukum Eropa meminta penjelasan mengapa konten itu melanggar hukum.',
    statements: 'Pernyataan Anda',
    good_faith: 'Saya dengan itikad baik meyakini bahwa laporan ini akurat dan lengkap.',
    non_consensual: 'Orang yang ditampilkan tidak menyetujui gambar ini dibuat atau disebarkan.',
    signature: 'Tanda tangan Anda (tidak wajib)',
    signature_help: 'Ketik nama lengkap Anda. Hukum AS (TAKE IT DOWN Act) meminta tanda tangan orang yang ditampilkan atau wakilnya.',
    submit: 'Kirim laporan',
    err_required: 'Jawab pertanyaan ini.',
    err_email: 'Masukkan alamat email seperti nama@example.com.',
    err_url: 'Masukkan alamat web lengkap, diawali https://.',
    err_too_long: 'Terlalu panjang: persingkat.',
    err_content: 'Isi alamat web, ID konten, atau gambarnya, agar kami dapat menemukan konten itu.',
    err_jurisdiction: 'Pilih negara dari daftar.',
    err_csrf: 'Formulir ini sudah kedaluwarsa. Periksa jawaban Anda lalu kirim lagi.',
    err_image_size: 'Gambar lebih besar dari {limit}: pilih berkas yang lebih kecil, atau isi alamat webnya saja.',
    err_image: 'Gambar ini tidak dapat dibaca. {message}',
    received_title: 'Laporan diterima',
    received_intro: 'Terima kasih. Laporan Anda sudah dicatat dan waktu mulai dihitung.',
    case_reference: 'Nomor kasus Anda',
    case_reference_help: 'Simpan nomor ini: sebutkan jika Anda menghubungi kami tentang laporan ini.',
    report_reference: 'Nomor laporan',
    deadline_at: 'Kami wajib memutuskan paling lambat {at} UTC: {rule}',
    merged: 'Konten ini sudah pernah dilaporkan: laporan Anda digabung ke kasus itu, dan batas waktu yang lebih awal yang berlaku.',
    removed: 'Gambar itu cocok dengan konten yang sudah dikenal sebagai pelecehan dan langsung dihapus.',
    missing_title: 'Yang belum ada di laporan Anda',
    missing_intro:
      'Laporan Anda diterima dan waktu sudah berjalan. Hukum juga mengharapkan unsur di bawah ini; tanpanya peninjau mungkin menghubungi Anda, atau batas waktu baru mulai setelah unsur itu dilengkapi. Anda dapat mengirim laporan lain yang melengkapinya kapan saja.',
    missing_none: 'Laporan Anda memuat semua yang diminta hukum.',
    another: 'Kirim laporan lain',
    protect_link: 'Lindungi foto Anda dari suntingan AI',
  },
});

/** The elements of a valid notice, in Indonesian; English uses the service's own words. */
const MISSING_ID: Record<string, string> = {
  explanation: 'penjelasan yang cukup beralasan mengapa konten itu melanggar hukum',
  'content.url': 'lokasi elektronik konten yang tepat (alamat web)',
  'reporter.name': 'nama orang atau badan yang mengirim laporan',
  'reporter.email': 'alamat email atau kontak lain untuk menghubungi pelapor',
  good_faith: 'pernyataan itikad baik bahwa laporan akurat dan lengkap',
  signature: 'tanda tangan fisik atau elektronik orang yang ditampilkan atau wakilnya',
  content: 'identifikasi dan informasi yang cukup untuk menemukan gambar itu',
  non_consensual: 'pernyataan singkat itikad baik bahwa gambar itu dibuat atau disebarkan tanpa persetujuan',
};

/** Where the law is: the rules' jurisdictions, every EU member state, and the countries most reports come from. */
const COMMON_JURISDICTIONS = ['ID', 'MY', 'SG', 'PH', 'TH', 'VN', 'IN', 'AU', 'NZ', 'JP', 'KR', 'US', 'CA', 'MX', 'BR', 'GB', 'NO', 'CH', 'ZA', 'NG', 'KE'];

export const FIELD_NAMES = [
  'reporter_type',
  'reporter_name',
  'reporter_email',
  'reporter_contact',
  'jurisdiction',
  'category',
  'content_url',
  'content_id',
  'image',
  'explanation',
  'good_faith',
  'non_consensual',
  'signature',
] as const;
export type ReportField = (typeof FIELD_NAMES)[number];

export type ErrorKey = 'err_required' | 'err_email' | 'err_url' | 'err_too_long' | 'err_content' | 'err_jurisdiction' | 'err_image_size' | 'err_image';

/** What the person typed (strings; checkboxes as 'on'), so a refused form comes back as they left it. */
export type FormValues = Partial<Record<ReportField, string>>;

export interface FormErrors {
  fields: Partial<Record<ReportField, { key: ErrorKey; values?: Record<string, string> }>>;
  /** A problem with the whole form (an expired CSRF token). */
  form?: 'err_csrf';
  /** An image had been chosen: say it must be chosen again. */
  imageDropped?: boolean;
}

export interface ReportPageInput {
  lang: Lang;
  csrf: string;
  values: FormValues;
  errors?: FormErrors;
  jurisdictions: string[];
  /** The clock for the values as they stand, when jurisdiction and category are chosen. */
  rule?: ClockRule | undefined;
}

export function regionName(lang: Lang, code: string): string {
  try {
    return new Intl.DisplayNames([lang], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

export function jurisdictionChoices(ruleJurisdictions: Iterable<string>, euMembers: Iterable<string>): string[] {
  return [...new Set([...ruleJurisdictions, 'EU', ...euMembers, ...COMMON_JURISDICTIONS])];
}

function hoursText(lang: Lang, hours: number): string {
  return hours === 1 ? t(lang, 'hours_1') : t(lang, 'hours_n', { n: hours });
}

/** "2 hours (India, IT Rules …): the deadline the law gives." */
export function deadlineText(lang: Lang, rule: ClockRule, jurisdiction: string): string {
  return t(lang, rule.basis === 'statutory' ? 'deadline_statutory' : 'deadline_target', {
    hours: hoursText(lang, rule.hours),
    place: regionName(lang, jurisdiction),
    title: rule.source.title,
  });
}

const errorId = (field: string): string => `${field}-error`;
const helpId = (field: string): string => `${field}-help`;

function fieldError(lang: Lang, errors: FormErrors | undefined, field: ReportField): HtmlValue {
  const error = errors?.fields[field];
  return error ? html`<p class="error" id="${errorId(field)}">${t(lang, error.key, error.values)}</p>` : '';
}

function describedBy(errors: FormErrors | undefined, field: ReportField, help = true): string {
  return [help ? helpId(field) : '', errors?.fields[field] ? errorId(field) : ''].filter(Boolean).join(' ');
}

function textField(
  input: ReportPageInput,
  field: ReportField,
  type: 'text' | 'email' | 'url',
  extra: { autocomplete?: string; maxlength: number; inputmode?: string },
): HtmlValue {
  const { lang, errors, values } = input;
  const invalid = errors?.fields[field] !== undefined;
  return html`<div class="field">
    <label for="${field}">${t(lang, field as Parameters<typeof t>[1])}</label>
    <p class="hint" id="${helpId(field)}">${t(lang, `${field}_help` as Parameters<typeof t>[1])}</p>
    ${fieldError(lang, errors, field)}
    <input
      type="${type}"
      id="${field}"
      name="${field}"
      value="${values[field] ?? ''}"
      maxlength="${extra.maxlength}"
      ${extra.autocomplete ? html`autocomplete="${extra.autocomplete}"` : ''}
      aria-describedby="${describedBy(errors, field)}"
      ${invalid ? html`aria-invalid="true"` : ''}
    />
  </div>`;
}

function radioGroup(input: ReportPageInput, field: 'reporter_type' | 'category', options: readonly string[], prefix: 'rt_' | 'cat_'): HtmlValue {
  const { lang, errors, values } = input;
  const invalid = errors?.fields[field] !== undefined;
  return html`<fieldset class="choices" aria-describedby="${describedBy(errors, field)}" ${invalid ? html`aria-invalid="true"` : ''}>
    <legend>${t(lang, field)}</legend>
    <p class="hint" id="${helpId(field)}">${t(lang, `${field}_help`)}</p>
    ${fieldError(lang, errors, field)}
    ${options.map(
      (option) =>
        html`<div class="choice">
          <input type="radio" id="${field}-${option}" name="${field}" value="${option}" ${values[field] === option ? html`checked` : ''} required />
          <label for="${field}-${option}">${t(lang, `${prefix}${option}` as Parameters<typeof t>[1])}</label>
        </div>`,
    )}
  </fieldset>`;
}

function checkbox(input: ReportPageInput, field: 'good_faith' | 'non_consensual'): HtmlValue {
  return html`<div class="choice">
    <input type="checkbox" id="${field}" name="${field}" value="on" ${input.values[field] === 'on' ? html`checked` : ''} />
    <label for="${field}">${t(input.lang, field)}</label>
  </div>`;
}

function whatHappensNext(lang: Lang): HtmlValue {
  return html`<section class="notice" aria-labelledby="next-title">
    <h2 id="next-title">${t(lang, 'next_title')}</h2>
    <ol>
      <li>${t(lang, 'next_1')}</li>
      <li>${t(lang, 'next_2')}</li>
      <li>${t(lang, 'next_3')}</li>
      <li>${t(lang, 'next_4')}</li>
    </ol>
  </section>`;
}

function errorSummary(input: ReportPageInput): HtmlValue {
  const { lang, errors } = input;
  if (!errors) return '';
  const entries = Object.entries(errors.fields) as Array<[ReportField, { key: ErrorKey; values?: Record<string, string> }]>;
  if (entries.length === 0 && !errors.form) return '';
  const target = (field: ReportField): string =>
    field === 'reporter_type' || field === 'category' ? `${field}-${field === 'category' ? REPORT_CATEGORIES[0] : REPORTER_TYPES[0]}` : field;
  return html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary">
    <h2>${t(lang, 'errors_title')}</h2>
    <ul>
      ${errors.form ? html`<li>${t(lang, errors.form)}</li>` : ''}
      ${entries.map(([field, error]) => html`<li><a href="#${target(field)}">${t(lang, error.key, error.values)}</a></li>`)}
    </ul>
  </div>`;
}

export const nav = (lang: Lang) => publicNav(lang);

/** The public report form, with the person's answers and the errors next to their fields when it comes back. */
export function reportFormPage(input: ReportPageInput): string {
  const { lang, values, errors } = input;
  const jurisdictionInvalid = errors?.fields.jurisdiction !== undefined;
  const choices = input.jurisdictions.map((code) => ({ code, name: regionName(lang, code) })).sort((a, b) => a.name.localeCompare(b.name, lang));
  const deadline = input.rule && values.jurisdiction ? deadlineText(lang, input.rule, values.jurisdiction) : t(lang, 'deadline_pick');
  const contentError = errors?.fields.content_url?.key === 'err_content';
  const body = html`<h1>${t(lang, 'title')}</h1>
    ${errorSummary(input)}
    <p>${t(lang, 'intro')}</p>
    ${whatHappensNext(lang)}
    <form method="post" action="/console/report?lang=${lang}" enctype="multipart/form-data" id="report-form" novalidate>
      <input type="hidden" name="${CSRF_FIELD}" value="${input.csrf}" />
      <fieldset>
        <legend class="section">${t(lang, 'where_what')}</legend>
        ${radioGroup(input, 'reporter_type', REPORTER_TYPES, 'rt_')}
        <div class="field">
          <label for="jurisdiction">${t(lang, 'jurisdiction')}</label>
          <p class="hint" id="${helpId('jurisdiction')}">${t(lang, 'jurisdiction_help')}</p>
          ${fieldError(lang, errors, 'jurisdiction')}
          <select
            id="jurisdiction"
            name="jurisdiction"
            required
            aria-describedby="${describedBy(errors, 'jurisdiction')}"
            ${jurisdictionInvalid ? html`aria-invalid="true"` : ''}
          >
            <option value="">${t(lang, 'choose')}</option>
            ${choices.map(
              (choice) => html`<option value="${choice.code}" ${values.jurisdiction === choice.code ? html`selected` : ''}>${choice.name}</option>`,
            )}
          </select>
        </div>
        ${radioGroup(input, 'category', REPORT_CATEGORIES, 'cat_')}
        <div class="deadline notice" id="deadline-box">
          <h2 id="deadline-title">${t(lang, 'deadline_label')}</h2>
          <p id="deadline" aria-live="polite" data-lang="${lang}">${deadline}</p>
        </div>
      </fieldset>
      <fieldset aria-describedby="content-help${contentError ? ' content_url-error' : ''}">
        <legend class="section">${t(lang, 'content')}</legend>
        <p class="hint" id="content-help">${t(lang, 'content_help')}</p>
        ${textField(input, 'content_url', 'url', { maxlength: 2000, autocomplete: 'off' })} ${textField(input, 'content_id', 'text', { maxlength: 200 })}
        <div class="field">
          <label for="image">${t(lang, 'image')}</label>
          <p class="hint" id="${helpId('image')}">${t(lang, 'image_help')}</p>
          ${errors?.imageDropped ? html`<p class="hint warn">${t(lang, 'image_again')}</p>` : ''} ${fieldError(lang, errors, 'image')}
          <input
            type="file"
            id="image"
            name="image"
            accept="image/jpeg,image/png,image/webp,image/gif,image/avif"
            aria-describedby="${describedBy(errors, 'image')}"
            ${errors?.fields.image ? html`aria-invalid="true"` : ''}
          />
        </div>
        <div class="field">
          <label for="explanation">${t(lang, 'explanation')}</label>
          <p class="hint" id="${helpId('explanation')}">${t(lang, 'explanation_help')}</p>
          ${fieldError(lang, errors, 'explanation')}
          <textarea
            id="explanation"
            name="explanation"
            maxlength="10000"
            rows="5"
            aria-describedby="${describedBy(errors, 'explanation')}"
            ${errors?.fields.explanation ? html`aria-invalid="true"` : ''}
          >
${values.explanation ?? ''}</textarea>
        </div>
      </fieldset>
      <fieldset>
        <legend class="section">${t(lang, 'about_you')}</legend>
        ${textField(input, 'reporter_name', 'text', { maxlength: 200, autocomplete: 'name' })}
        ${textField(input, 'reporter_email', 'email', { maxlength: 320, autocomplete: 'email' })}
        ${textField(input, 'reporter_contact', 'text', { maxlength: 500 })}
      </fieldset>
      <fieldset>
        <legend class="section">${t(lang, 'statements')}</legend>
        ${checkbox(input, 'good_faith')} ${checkbox(input, 'non_consensual')} ${textField(input, 'signature', 'text', { maxlength: 500, autocomplete: 'name' })}
      </fieldset>
      <p><button type="submit">${t(lang, 'submit')}</button></p>
    </form>`;
  return page({ lang, title: t(lang, 'title'), body, nav: nav(lang), current: '/console/report', langSwitch: '/console/report', scripts: ['report.js'] });
}

function missingText(lang: Lang, element: MissingElement): string {
  if (lang === 'en') return element.element;
  return MISSING_ID[element.field] ?? element.element;
}

/** The confirmation: the case reference, the deadline and what the notice still lacks. */
export function reportReceivedPage(lang: Lang, receipt: ReportReceipt, jurisdiction: string): string {
  const at = new Intl.DateTimeFormat(lang, { dateStyle: 'full', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(receipt.deadline));
  const rule = deadlineText(lang, { ...receipt.rule }, jurisdiction);
  const body = html`<h1>${t(lang, 'received_title')}</h1>
    <p>${t(lang, 'received_intro')}</p>
    <div class="receipt notice">
      <h2>${t(lang, 'case_reference')}</h2>
      <p class="reference mono" id="case-reference">${receipt.case_id}</p>
      <p class="hint">${t(lang, 'case_reference_help')}</p>
      <p>${t(lang, 'report_reference')}: <span class="mono" id="report-reference">${receipt.id}</span></p>
      <p id="deadline">
        <strong><time datetime="${receipt.deadline}">${t(lang, 'deadline_at', { at, rule })}</time></strong>
      </p>
      ${receipt.merged ? html`<p>${t(lang, 'merged')}</p>` : ''} ${receipt.removed_automatically ? html`<p>${t(lang, 'removed')}</p>` : ''}
    </div>
    <section aria-labelledby="missing-title">
      <h2 id="missing-title">${t(lang, 'missing_title')}</h2>
      ${
        receipt.missing.length === 0
          ? html`<p>${t(lang, 'missing_none')}</p>`
          : html`<p>${t(lang, 'missing_intro')}</p>
              <ul id="missing">
                ${receipt.missing.map((m) => html`<li>${missingText(lang, m)} <span class="hint">(${m.law})</span></li>`)}
              </ul>`
      }
    </section>
    ${whatHappensNext(lang)}
    <p>
      <a class="button" href="/console/report?lang=${lang}">${t(lang, 'another')}</a> <a href="/console/consent?lang=${lang}">${t(lang, 'protect_link')}</a>
    </p>`;
  return page({ lang, title: t(lang, 'received_title'), body, nav: nav(lang), current: '/console/report' });
}
