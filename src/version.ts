/** Perisai's version, in one place: the API document, the CLI, C2PA claims and safeguards reports name it. */
export const PACKAGE_VERSION = '0.1.0';
