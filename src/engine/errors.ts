import { format, type Lang, type MessageKey } from '../i18n/messages.js';

/**
 * An error a 1C programmer is meant to read. It carries the message key and arguments rather than
 * a fixed text, so the same error can be shown in the language of the object that raised it.
 */
export class EngineError extends Error {
  readonly key: MessageKey;
  readonly args: readonly unknown[];

  constructor(key: MessageKey, args: readonly unknown[] = [], options?: { cause?: unknown }) {
    super(format('ru', key, args.map((a) => localize(a, 'ru'))), options);
    this.name = 'EngineError';
    this.key = key;
    this.args = args;
  }

  text(lang: Lang): string {
    return format(lang, this.key, this.args.map((a) => localize(a, lang)));
  }
}

/** A piece of text known in both languages, usable as an EngineError argument. */
export interface Bilingual {
  readonly ru: string;
  readonly en: string;
}

function localize(arg: unknown, lang: Lang): unknown {
  if (arg instanceof EngineError) return arg.text(lang);
  if (typeof arg === 'object' && arg !== null && 'ru' in arg && 'en' in arg) return (arg as Bilingual)[lang];
  return arg;
}

/** The text of any error in the given language; unexpected errors keep their own message. */
export function errorText(error: unknown, lang: Lang): string {
  if (error instanceof EngineError) return error.text(lang);
  const detail = error instanceof Error ? error.message : String(error);
  return format(lang, 'internalError', [detail]);
}
