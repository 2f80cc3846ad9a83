import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Config, ConfigError } from '../config';
import { createHeaderCipher, type HeaderCipher } from './header-cipher';

const KEY_FILE = 'header-encryption.key';

/**
 * The cipher for runner headers. The key comes from HEADER_ENCRYPTION_KEY; on the embedded
 * database without one, a key is generated once into DATA_DIR (mode 0600) and reused.
 */
export function loadHeaderCipher(config: Pick<Config, 'database' | 'headerKeys'>): HeaderCipher {
  const { primary, previous } = config.headerKeys;
  if (primary) return createHeaderCipher(primary, previous);
  if (config.database.kind !== 'embedded') {
    throw new ConfigError(
      'HEADER_ENCRYPTION_KEY is required with DATABASE_URL: runner headers are encrypted at rest.\n' +
        '  Generate one with: node -e "console.log(crypto.randomBytes(32).toString(\'base64\'))"',
    );
  }
  return createHeaderCipher(embeddedKey(config.database.dataDir), previous);
}

function embeddedKey(dataDir: string): Buffer {
  const file = path.join(dataDir, KEY_FILE);
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new ConfigError(`${file} does not hold a 32-byte base64 key`);
  return key;
}
