/**
 * Errors a BSL programmer would see, with the platform's texts where they are known.
 */

/** One IAddInDefBase::AddError call. */
export interface AddErrorRecord {
  readonly wcode: number;
  readonly source: string;
  readonly descr: string;
  readonly scode: number;
  /** the host operation in progress, e.g. `CallAsProc(Fail)` or `Init` */
  readonly during: string;
}

/** A runtime exception BSL code would get (ВызватьИсключение on the platform side). */
export class BslError extends Error {
  constructor(
    message: string,
    /** AddError calls the component made during the failing operation */
    readonly records: readonly AddErrorRecord[] = [],
  ) {
    super(message);
    this.name = 'BslError';
  }

  /**
   * The platform prints the failing context's text; AddError descriptions made during the call
   * are appended after a colon (which of them shows in ОписаниеОшибки() differs between reports,
   * so tests should look at `records` when they care).
   */
  static withRecords(base: string, records: readonly AddErrorRecord[]): BslError {
    const details = records.map((r) => r.descr).filter((d) => d !== '');
    return new BslError(details.length > 0 ? `${base}: ${details.join('; ')}` : base, records);
  }
}

/** Platform message texts (Russian interface). */
export const Text = {
  methodNotFound: (name: string) => `Метод объекта не обнаружен (${name})`,
  propNotFound: (name: string) => `Поле объекта не обнаружено (${name})`,
  propNotReadable: (name: string) => `Поле объекта недоступно для чтения (${name})`,
  propNotWritable: (name: string) => `Поле объекта недоступно для записи (${name})`,
  callFailed: (name: string) => `Ошибка при вызове метода контекста (${name})`,
  getFailed: (name: string) => `Ошибка при получении значения атрибута контекста (${name})`,
  setFailed: (name: string) => `Ошибка при установке значения атрибута контекста (${name})`,
  tooManyParams: 'Слишком много фактических параметров',
  notEnoughParams: 'Недостаточно фактических параметров',
  typeNotDefined: (name: string) => `Тип не определен (${name})`,
  // the two below are the emulator's own wording: no platform text was found for them
  createFailed: (name: string) => `Ошибка при создании объекта внешней компоненты (${name})`,
  unsupportedValue: (vt: number) => `Значение недопустимого типа (tVariant vt = ${vt})`,
} as const;
