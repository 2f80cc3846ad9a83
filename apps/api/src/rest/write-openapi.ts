import fs from 'node:fs';
import path from 'node:path';
import { createOpenApiDocument } from './openapi';

/** The committed document; a test fails when it differs from what the code generates. */
export const OPENAPI_FILE = path.resolve(import.meta.dirname, '../../openapi.json');

export const serializeDocument = (): string =>
  `${JSON.stringify(createOpenApiDocument(), null, 2)}\n`;

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  fs.writeFileSync(OPENAPI_FILE, serializeDocument());
  process.stdout.write(`wrote ${path.relative(process.cwd(), OPENAPI_FILE)}\n`);
}
