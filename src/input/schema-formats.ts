/**
 * The string formats the published schemas use, as ajv formats: required by the validators the
 * build generates from the schemas (tools/validators.ts), so a run loads code instead of compiling
 * schemas.
 */
import { fullFormats } from 'ajv-formats/dist/formats';
import { addressError } from './address-syntax';

export const SCHEMA_FORMATS = {
  date: fullFormats.date,
  address: { type: 'string', validate: (text: string): boolean => addressError(text) === undefined },
} as const;
