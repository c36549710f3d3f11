/**
 * The NCMEC CyberTipline report package: what Perisai knows about an escalated incident, laid
 * out in the elements of the CyberTipline Reporting API, for a person to check and submit.
 * Perisai never submits on its own.
 *
 * The API takes a report in steps: POST /submit with a `<report>` document (NCMEC answers with
 * a report id), POST /upload per file (NCMEC answers with a file id), POST /fileinfo with a
 * `<fileDetails>` document per file, then POST /finish. So the package holds one `<report>` and
 * one `<fileDetails>` per file; `reportId` and `fileId` are NCMEC's to assign and are left as
 * placeholders the person replaces (`toComplete` lists them).
 *
 * Element names and their order follow the report schema as documented for the Reporting API
 * (report.cybertip.org/ispws/documentation). What could not be verified here: the XSD itself
 * (GET /xsd needs NCMEC credentials), so the order was taken from the documentation's element
 * tables and a published typed model of the schema, not validated against the XSD; the schema's
 * namespace (none is written); whether `SHA256` and `PDQ` are accepted `hashType` values (the
 * documentation gives MD5 and SHA1 as examples; the field is free text).
 */

export const NCMEC_INCIDENT_TYPE_CHILD_PORNOGRAPHY = 'Child Pornography (possession, manufacture, and distribution)';

/** Placeholders for what NCMEC assigns during submission. */
export const NCMEC_REPORT_ID_PLACEHOLDER = 'NCMEC_REPORT_ID';
export const NCMEC_FILE_ID_PLACEHOLDER = 'NCMEC_FILE_ID';

/** One generated image traced to the request and account that produced it (the generation ledger). */
export interface TraceEntry {
  output_decision_id: string;
  request_id: string;
  requester_id: string | null;
  distance: number;
  generated_at: string;
}

export interface PackageFile {
  /** Perisai's evidence id when the pixels were kept (encrypted), else null. */
  evidenceId: string | null;
  sha256: string;
  pdq: string | null;
  /** The image came out of an image generator (a screened output, or traced to one in the ledger). */
  generativeAi: boolean;
  /** When the file reached the service (the decision or the report). */
  receivedAt: string;
  /** Free text for the file's additionalInfo: where it came from, what matched. */
  note: string;
}

/** What the package is built from: Perisai data only, no guesses. */
export interface PackageInput {
  incidentAt: string;
  /** The platform whose account asked for the content, if configured; Perisai itself is not the ESP. */
  platform: string | null;
  /** Who at the platform submits the report (reportingPerson); null leaves it to complete. */
  reportingEmail: string | null;
  /** The requesting account (espIdentifier and screen name), if the content was requested through Perisai. */
  account: { id: string; country: string | null } | null;
  /**
   * IP capture events. Perisai does not see client IPs today (the platform calls it, not the
   * user), so callers pass none and the element is left out.
   */
  ipCaptureEvents: Array<{ ipAddress: string; eventName: string; dateTime: string }>;
  files: PackageFile[];
  /** The report's additionalInfo: decision, rules, categories, matched banks, case. */
  summary: string;
}

export interface ReportPackage {
  reportXml: string;
  fileDetailsXml: string[];
  /** What a person must fill in before submitting. */
  toComplete: string[];
  /** What the package leaves out and why. */
  omitted: string[];
}

/** An element tree: a name, attributes, and either text or children in schema order. */
export interface XmlElement {
  name: string;
  attributes?: Array<[string, string]>;
  text?: string;
  children?: XmlElement[];
}

export function buildPackage(input: PackageInput): ReportPackage {
  const toComplete: string[] = [];
  const omitted: string[] = [];
  const incidentSummary: XmlElement = el('incidentSummary', [
    leaf('incidentType', NCMEC_INCIDENT_TYPE_CHILD_PORNOGRAPHY),
    ...(input.platform ? [leaf('platform', input.platform)] : []),
    leaf('incidentDateTime', input.incidentAt),
  ]);
  if (!input.reportingEmail) toComplete.push('report/reporter/reportingPerson: the name and email of the person at the platform who submits the report');
  const reporter = el('reporter', [el('reportingPerson', input.reportingEmail ? [leaf('email', input.reportingEmail)] : [])]);
  const report: XmlElement[] = [incidentSummary, reporter];
  if (input.account) {
    const user: XmlElement[] = [leaf('espIdentifier', input.account.id), leaf('screenName', input.account.id)];
    for (const event of input.ipCaptureEvents) {
      user.push(el('ipCaptureEvent', [leaf('ipAddress', event.ipAddress), leaf('eventName', event.eventName), leaf('dateTime', event.dateTime)]));
    }
    if (input.ipCaptureEvents.length === 0) omitted.push('personOrUserReported/ipCaptureEvent: Perisai does not see the IP addresses of the platform’s users');
    if (input.account.country) user.push(leaf('additionalInfo', `Account country as the platform declared it: ${input.account.country}.`));
    report.push(el('personOrUserReported', user));
  } else {
    omitted.push('personOrUserReported: the content did not come through a Perisai request with an account');
  }
  report.push(leaf('additionalInfo', input.summary));

  const fileDetailsXml = input.files.map((file) => {
    const hashes: XmlElement[] = [{ name: 'originalFileHash', attributes: [['hashType', 'SHA256']], text: file.sha256 }];
    if (file.pdq) hashes.push({ name: 'originalFileHash', attributes: [['hashType', 'PDQ']], text: file.pdq });
    const children: XmlElement[] = [
      leaf('reportId', NCMEC_REPORT_ID_PLACEHOLDER),
      leaf('fileId', NCMEC_FILE_ID_PLACEHOLDER),
      leaf('uploadedToEspTimestamp', file.receivedAt),
      ...(file.generativeAi ? [el('fileAnnotations', [el('generativeAi', [])])] : []),
      ...hashes,
      leaf('additionalInfo', file.note),
    ];
    return serialiseXml(el('fileDetails', children));
  });
  if (input.files.length > 0) {
    toComplete.push(`fileDetails/reportId: the report id NCMEC returns for the submitted report (replace ${NCMEC_REPORT_ID_PLACEHOLDER})`);
    toComplete.push(`fileDetails/fileId: the file id NCMEC returns for each uploaded file (replace ${NCMEC_FILE_ID_PLACEHOLDER})`);
  }
  if (input.files.some((file) => file.evidenceId === null)) {
    omitted.push('the pixels of some files: they were not kept as evidence (no evidence key configured, or the image was not received), only their hashes');
  }
  return { reportXml: serialiseXml(el('report', report)), fileDetailsXml, toComplete, omitted };
}

function el(name: string, children: XmlElement[]): XmlElement {
  return { name, children };
}

function leaf(name: string, text: string): XmlElement {
  return { name, text };
}

/** A UTF-8 XML document: declaration, then the tree, children in the order given. */
export function serialiseXml(root: XmlElement): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  write(root, 0, out);
  return out.join('');
}

function write(node: XmlElement, depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  const attributes = (node.attributes ?? []).map(([name, value]) => ` ${name}="${escapeXml(value, true)}"`).join('');
  if (node.text !== undefined) {
    out.push(`${pad}<${node.name}${attributes}>${escapeXml(node.text, false)}</${node.name}>\n`);
  } else if (!node.children || node.children.length === 0) {
    // Presence flags such as <generativeAi/> are empty elements.
    out.push(`${pad}<${node.name}${attributes}/>\n`);
  } else {
    out.push(`${pad}<${node.name}${attributes}>\n`);
    for (const child of node.children) write(child, depth + 1, out);
    out.push(`${pad}</${node.name}>\n`);
  }
}

/**
 * Escapes text for element content or a double-quoted attribute. Characters XML 1.0 cannot
 * carry at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF) become U+FFFD: a report must
 * parse, and such characters never come from a person's text. Tabs, newlines and carriage
 * returns are kept, as character references in attributes (a parser normalises them otherwise)
 * and for the carriage return everywhere (a parser turns a literal one into a newline).
 */
export function escapeXml(text: string, attribute: boolean): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '&') out += '&amp;';
    else if (char === '<') out += '&lt;';
    else if (char === '>') out += '&gt;';
    else if (char === '"' && attribute) out += '&quot;';
    else if (char === '\r') out += '&#13;';
    else if (attribute && (char === '\n' || char === '\t')) out += `&#${code};`;
    else if (isXmlChar(code)) out += char;
    else out += '\uFFFD';
  }
  return out;
}

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/** The element names of a package's report in the schema's order, for tests and documentation. */
export const REPORT_ELEMENT_ORDER = ['incidentSummary', 'reporter', 'personOrUserReported', 'additionalInfo'] as const;
export const INCIDENT_SUMMARY_ORDER = ['incidentType', 'platform', 'incidentDateTime'] as const;
export const PERSON_REPORTED_ORDER = ['espIdentifier', 'screenName', 'ipCaptureEvent', 'additionalInfo'] as const;
export const FILE_DETAILS_ORDER = ['reportId', 'fileId', 'uploadedToEspTimestamp', 'fileAnnotations', 'originalFileHash', 'additionalInfo'] as const;
