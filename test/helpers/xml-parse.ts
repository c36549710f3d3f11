import { execFileSync } from 'node:child_process';

/** An element as a real XML parser read it. */
export interface ParsedElement {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: ParsedElement[];
}

// No XML parser is in node_modules; Python's expat (xml.etree) is a real, strict one and is on
// every machine the tests run on. Many documents go through one process.
const SCRIPT = `
import json, sys
import xml.etree.ElementTree as ET
def tree(e):
    return {"name": e.tag, "attributes": dict(e.attrib), "text": e.text or "", "children": [tree(c) for c in e]}
out = []
for doc in json.load(sys.stdin):
    try:
        out.append({"ok": True, "root": tree(ET.fromstring(doc.encode("utf-8")))})
    except ET.ParseError as error:
        out.append({"ok": False, "error": str(error)})
json.dump(out, sys.stdout)
`;

export type ParseResult = { ok: true; root: ParsedElement } | { ok: false; error: string };

export function parseXmlDocuments(documents: string[]): ParseResult[] {
  const output = execFileSync('python3', ['-c', SCRIPT], { input: JSON.stringify(documents), maxBuffer: 256 * 1024 * 1024 });
  return JSON.parse(output.toString('utf8')) as ParseResult[];
}

export function parseXml(document: string): ParsedElement {
  const [result] = parseXmlDocuments([document]);
  if (!result || !result.ok) throw new Error(`not well-formed XML: ${result && !result.ok ? result.error : 'no result'}`);
  return result.root;
}
