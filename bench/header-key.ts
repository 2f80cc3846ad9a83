import { randomBytes } from 'node:crypto';
import { createHeaderCipher } from '@runner-registry/api/runners/header-cipher';

/** The key runner headers are encrypted with for this bench run: seeding and service share it. */
export const BENCH_HEADER_KEY = randomBytes(32);
export const benchCipher = createHeaderCipher(BENCH_HEADER_KEY);
