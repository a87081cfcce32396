import { z } from 'zod';

/** An http(s) endpoint URL; a trailing slash is dropped so that paths can be appended. */
export const httpUrl = z
  .string()
  .refine((text) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol), {
    message: 'not an http(s) URL',
  })
  .transform((text) => text.replace(/\/+$/, ''));
