/**
 * The host emulator (src/host) against a sample Native API component of our own
 * (test/fixtures/sample-addin), built with g++ on first use and cached under build/test-fixtures/.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  AddInHost,
  attachAddIn,
  BinaryData,
  BslError,
  fromOleDate,
  ONESCRIPT_LIKE_HOST,
  out,
  ProtocolError,
  skip,
  VT,
  type AddInObject,
  type HostOptions,
} from '../src/host/index.js';
import { buildSampleAddIn } from './fixtures/sample-addin/build.js';

let modernPath = '';
let legacyPath = '';

before(() => {
  modernPath = buildSampleAddIn('modern');
  legacyPath = buildSampleAddIn('legacy');
});

/** attach, create one AddIn.Test.Sample, run `fn`, destroy everything, insist on a clean host */
function withSample(fn: (obj: AddInObject, host: AddInHost) => void, options: HostOptions = {}): void {
  const host = attachAddIn(modernPath, 'Test', options);
  const obj = host.create('AddIn.Test.Sample');
  try {
    fn(obj, host);
  } finally {
    host.close();
  }
  host.assertClean();
}

/** asserts `fn` throws a BslError whose message is exactly `message` and returns it */
function bslError(fn: () => unknown, message: string): BslError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof BslError, `expected a BslError «${message}», got ${String(caught)}`);
  assert.equal(caught.message, message);
  return caught;
}

/** the host's problem lines after destroying everything (the host must NOT be clean) */
function problemsAfter(fn: (obj: AddInObject) => void): string[] {
  const host = attachAddIn(modernPath, 'Test');
  const obj = host.create('AddIn.Test.Sample');
  fn(obj);
  host.close();
  assert.throws(() => host.assertClean(), ProtocolError);
  return host.problems();
}

describe('loading and class discovery', () => {
  it('names types after RegisterExtensionAs, not after GetClassNames tokens', () => {
    const host = attachAddIn(modernPath, 'Test');
    assert.deepEqual(host.classNames, ['Main', 'Aux']);
    assert.deepEqual(host.typeNames, ['AddIn.Test.Sample', 'AddIn.Test.SampleAux']);
    assert.equal(host.extensions.get('Sample'), 'Main');
    assert.equal(host.componentCapabilities, 3, 'SetPlatformCapabilities answer');
    assert.equal(host.attachType, 3, 'GetAttachType answer (eCanAttachAny)');
    // registration allocated the names through AllocMemory and the host freed them
    assert.ok(host.memory.stats.componentAllocations >= 2);
    assert.equal(host.memory.liveAllocations().length, 0);
    bslError(() => host.create('AddIn.Test.Main'), 'Тип не определен (AddIn.Test.Main)');
    bslError(() => host.create('AddIn.Other.Sample'), 'Тип не определен (AddIn.Other.Sample)');
    const aux = host.create('AddIn.Test.SampleAux');
    assert.equal(aux.className, 'Aux');
    host.close();
    host.assertClean();
  });

  it('reports a library that cannot be loaded', () => {
    assert.throws(() => attachAddIn('/nonexistent/addin.so', 'Test'), /cannot load \/nonexistent\/addin\.so: /);
  });

  it('loads a component built with pre-2022 headers (three vptrs, no optional exports)', () => {
    const host = attachAddIn(legacyPath, 'Old', { interfaceLanguage: 'en' });
    assert.equal(host.componentCapabilities, undefined);
    assert.equal(host.attachType, undefined);
    const obj = host.create('AddIn.Old.Sample');
    // no SetUserInterfaceLanguageCode (there is no fourth vptr to call it through)
    assert.equal(obj.get('CallLog'), 'setMemManager,Init(mem),GetInfo,SetLocale(ru_RU)');
    // without SetPlatformCapabilities the component must not (and does not) call GetInterface
    assert.equal(obj.get('Platform'), '');
    assert.equal(obj.call('Echo', 'старый'), 'старый');
    host.close();
    host.assertClean();
  });

  it('reports the attachment mode through IAttachedInfo', () => {
    // the sample declares eCanAttachAny, so both modes work
    withSample((obj) => assert.equal(obj.get('Isolated'), true), { attachment: 'isolated' });
    withSample((obj) => assert.equal(obj.get('Изолированно'), false), { attachment: 'notIsolated' });
  });

  it('refuses an attachment mode GetAttachType does not allow', () => {
    process.env['SAMPLE_ADDIN_ATTACH_TYPE'] = '1'; // eCanAttachNotIsolated
    try {
      assert.throws(() => attachAddIn(modernPath, 'Test', { attachment: 'isolated' }), /GetAttachType is 1/);
      const host = attachAddIn(modernPath, 'Test', { attachment: 'notIsolated' });
      assert.equal(host.attachType, 1);
      host.close();
      host.assertClean();
    } finally {
      delete process.env['SAMPLE_ADDIN_ATTACH_TYPE'];
    }
  });
});

describe('object lifecycle', () => {
  it('runs setMemManager → Init → GetInfo → SetLocale by default, Done → DestroyObject on destroy', () => {
    const host = attachAddIn(modernPath, 'Test');
    const obj = host.create('AddIn.Test.Sample');
    assert.equal(obj.info, 2000);
    assert.equal(obj.get('ЖурналВызовов'), 'setMemManager,Init(mem),GetInfo,SetLocale(ru_RU)');
    assert.deepEqual(host.objects, [obj]);
    obj.destroy();
    assert.equal(obj.isAlive, false);
    assert.deepEqual(host.objects, []);
    assert.throws(() => obj.call('Echo', 1), /destroyed/);
    assert.deepEqual(host.violations, []);
    host.assertClean();
    host.close();
    assert.throws(() => host.create('AddIn.Test.Sample'), /closed/);
  });

  it('can call Init before setMemManager', () => {
    withSample(
      (obj) => assert.equal(obj.get('CallLog'), 'Init(nomem),setMemManager,GetInfo,SetLocale(ru_RU)'),
      { initOrder: 'Init-first' },
    );
  });

  it('passes the locale and, for a capabilities-3 component, the interface language', () => {
    withSample(
      (obj) => {
        assert.equal(obj.get('Locale'), 'en_US');
        assert.equal(
          obj.get('CallLog'),
          'setMemManager,Init(mem),GetInfo,SetLocale(en_US),SetUserInterfaceLanguageCode(en)',
        );
      },
      { locale: 'en_US', interfaceLanguage: 'en' },
    );
  });

  it('gives each object its own state', () => {
    withSample((a, host) => {
      const b = host.create('AddIn.Test.Sample');
      a.set('Text', 'первый');
      b.set('Текст', 'второй');
      assert.equal(a.get('Text'), 'первый');
      assert.equal(b.get('Text'), 'второй');
    });
  });
});

describe('methods and properties by the names BSL uses', () => {
  it('calls methods by their English and Russian names, exactly as written', () => {
    withSample((obj) => {
      assert.equal(obj.call('Echo', 'x'), 'x');
      assert.equal(obj.call('Эхо', 'y'), 'y');
      // the sample matches names exactly, like the official SDK sample: the host passes them as typed
      bslError(() => obj.call('echo', 'z'), 'Метод объекта не обнаружен (echo)');
      bslError(() => obj.call('НетТакого'), 'Метод объекта не обнаружен (НетТакого)');
    });
  });

  it('enumerates methods and properties in both languages and frees the names', () => {
    withSample((obj, host) => {
      const methods = obj.methods();
      assert.equal(methods.length, 20);
      assert.deepEqual(methods[0], { index: 0, en: 'Echo', ru: 'Эхо', params: 1, hasRetVal: true });
      assert.deepEqual(methods[3], { index: 3, en: 'Swap', ru: 'Обменять', params: 2, hasRetVal: false });
      assert.deepEqual(methods[4], { index: 4, en: 'Concat', ru: 'Соединить', params: 3, hasRetVal: true });
      const props = obj.properties();
      assert.equal(props.length, 9);
      assert.deepEqual(props[2], { index: 2, en: 'Secret', ru: 'Секрет', readable: false, writable: true });
      assert.deepEqual(props[1], { index: 1, en: 'Counter', ru: 'Счетчик', readable: true, writable: false });
      assert.equal(host.memory.liveAllocations().length, 0, 'every name was freed with FreeMemory');
    });
  });

  it('reads and writes properties with the platform checks and error texts', () => {
    withSample((obj) => {
      obj.set('Текст', 'абв');
      assert.equal(obj.get('Text'), 'абв');
      const before = obj.get('Счетчик');
      obj.call('Echo', 1);
      assert.equal(obj.get('Counter'), Number(before) + 1);
      bslError(() => obj.get('Secret'), 'Поле объекта недоступно для чтения (Secret)');
      bslError(() => obj.set('Счетчик', 1), 'Поле объекта недоступно для записи (Счетчик)');
      bslError(() => obj.get('Nope'), 'Поле объекта не обнаружено (Nope)');
      obj.set('Secret', 'тайна');
      const getErr = bslError(
        () => obj.get('Broken'),
        'Ошибка при получении значения атрибута контекста (Broken): Свойство сломано',
      );
      assert.equal(getErr.records.length, 1);
      assert.equal(getErr.records[0]!.during, 'GetPropVal(Broken)');
      const setErr = bslError(
        () => obj.set('Текст', 5),
        'Ошибка при установке значения атрибута контекста (Текст): Ожидается строка',
      );
      assert.equal(setErr.records[0]!.wcode, 1006);
      assert.equal(obj.get('Text'), 'абв', 'a refused write changes nothing');
    });
  });

  it('uses CallAsFunc for expressions and CallAsProc for procedures and statements', () => {
    withSample((obj) => {
      assert.equal(obj.call('Echo', 1), 1);
      assert.equal(obj.get('LastCall'), 'CallAsFunc(Echo)');
      assert.equal(obj.call('Warn', 'w'), undefined);
      assert.equal(obj.get('LastCall'), 'CallAsProc(Warn)');
      obj.callStatement('Echo', 'x');
      assert.equal(obj.get('LastCall'), 'CallAsProc(Echo)');
    });
    withSample(
      (obj) => {
        obj.callStatement('Echo', 'x');
        assert.equal(obj.get('LastCall'), 'CallAsFunc(Echo)');
      },
      { functionsAsStatement: 'CallAsFunc' },
    );
  });
});

describe('parameters', () => {
  it('fills omitted and skipped parameters from GetParamDefValue', () => {
    withSample((obj, host) => {
      assert.equal(obj.call('Соединить', 'a'), 'a|по умолчанию|10');
      assert.equal(obj.call('Concat', 'a', 'b'), 'a|b|10');
      assert.equal(obj.call('Concat', 'a', skip, 3), 'a|по умолчанию|3');
      assert.equal(obj.call('Concat', 'a', skip, skip), 'a|по умолчанию|10');
      // an explicit Неопределено is a value (VTYPE_EMPTY), not an omission
      assert.equal(obj.call('Concat', 'a', undefined, 2.5), 'a||2.5');
      assert.equal(host.memory.liveAllocations().length, 0, 'default string payloads were freed');
    });
  });

  it('refuses missing mandatory and surplus arguments like the platform', () => {
    withSample((obj) => {
      bslError(() => obj.call('Concat'), 'Недостаточно фактических параметров');
      bslError(() => obj.call('Concat', skip, 'b'), 'Недостаточно фактических параметров');
      bslError(() => obj.call('Echo', 'a', 'b'), 'Слишком много фактических параметров');
      assert.throws(() => obj.call('Echo', {} as unknown as string), TypeError);
    });
  });

  it('copies parameters back into out() variables', () => {
    withSample((obj) => {
      const a = out('строка');
      const b = out(new BinaryData([9, 8]));
      obj.call('Обменять', a, b);
      assert.ok(a.value instanceof BinaryData);
      assert.deepEqual([...(a.value as BinaryData).bytes], [9, 8]);
      assert.equal(b.value, 'строка');

      const data = out('old payload');
      assert.equal(obj.call('Взять', 3000, data), true);
      assert.equal(data.value, 'value-3000');

      // a literal is not a variable: nothing to copy back, and nothing leaks
      obj.call('Swap', 1, 'two');
      assert.equal(obj.call('Take', 5), true);
    });
  });
});

describe('hosts other than 1C (ONESCRIPT_LIKE_HOST)', () => {
  it('frees with C++ delete through any vptr: the compiler-made deleting destructor and its this-adjusting thunks', () => {
    for (const deleteThrough of [0, 1, 2, 3] as const) {
      withSample((obj) => assert.equal(obj.call('Echo', 'x'), 'x'), { ...ONESCRIPT_LIKE_HOST, deleteThrough });
    }
  });

  it('copies no parameter back, yet frees what the component wrote into them', () => {
    withSample(
      (obj) => {
        const a = out('строка');
        const b = out(new BinaryData([9, 8]));
        obj.call('Обменять', a, b);
        assert.equal(a.value, 'строка');
        assert.ok(b.value instanceof BinaryData);
      },
      { copiesOutParams: false },
    );
  });

  it('treats an Undefined default as none: the argument becomes mandatory', () => {
    withSample((obj) => assert.equal(obj.call('Take', 5), true));
    withSample((obj) => bslError(() => obj.call('Take', 5), 'Недостаточно фактических параметров'), { undefinedDefaultIsAbsent: true });
  });

  it('ignores a false return: Undefined, no exception, the AddError record kept', () => {
    withSample(
      (obj) => {
        assert.equal(obj.call('ВызватьОшибку', 'Соединение разорвано'), undefined);
        assert.ok(obj.errors.length > 0);
      },
      { ignoresFalse: true },
    );
  });
});

describe('values', () => {
  it('passes numbers as I4 when they fit int32, otherwise as R8', () => {
    withSample((obj) => {
      const vt = (v: unknown): unknown => obj.call('TypeOf', v as string);
      assert.equal(vt(5), VT.I4);
      assert.equal(vt(-(2 ** 31)), VT.I4);
      assert.equal(vt(2 ** 31 - 1), VT.I4);
      assert.equal(vt(2 ** 31), VT.R8);
      assert.equal(vt(1.5), VT.R8);
      assert.equal(vt(true), VT.BOOL);
      assert.equal(vt(undefined), VT.EMPTY);
      assert.equal(vt(null), VT.NULL);
      assert.equal(vt('s'), VT.PWSTR);
      assert.equal(vt(new Date()), VT.TM);
      assert.equal(vt(new BinaryData([1])), VT.BLOB);
      assert.equal(obj.call('Echo', 2 ** 40), 2 ** 40);
      assert.equal(obj.call('Echo', -0.125), -0.125);
      assert.equal(obj.call('Echo', false), false);
      assert.equal(obj.call('Echo', null), null);
      assert.equal(obj.call('Echo', undefined), undefined);
    });
  });

  it('round-trips Cyrillic, astral-plane, NUL-containing and unpaired-surrogate strings', () => {
    withSample((obj) => {
      for (const s of ['Привет, мир', 'скрипичный ключ 𝄞', 'смайл 😀👍🏽', 'a\0b\0', '', '\ud800x\udc00', 'Ё'.repeat(10_000)]) {
        assert.equal(obj.call('Echo', s), s);
        // wstrLen counts UTF-16 code units
        assert.equal(obj.call('Длина', s), s.length);
      }
      assert.equal(obj.call('Length', '𝄞'), 2);
    });
  });

  it('passes and returns BinaryData as BLOB', () => {
    withSample((obj) => {
      const blob = obj.call('СоздатьДвоичныеДанные', 300);
      assert.ok(blob instanceof BinaryData);
      assert.equal(blob.size, 300);
      assert.deepEqual([...blob.bytes.subarray(254, 258)], [254, 255, 0, 1]);
      const empty = obj.call('MakeBlob', 0);
      assert.ok(empty instanceof BinaryData && empty.size === 0);
      const bytes = new BinaryData(Buffer.from('\x00\xffданные', 'latin1'));
      const back = obj.call('Echo', bytes);
      assert.ok(back instanceof BinaryData && back.equals(bytes));
      assert.equal(obj.call('Length', new BinaryData([1, 2, 3])), 3);
      assert.ok((obj.call('Echo', new BinaryData()) as BinaryData).size === 0);
    });
  });

  it('passes Date as TM and reads TM and DATE back', () => {
    withSample((obj) => {
      const d = new Date(Date.UTC(2024, 1, 28, 23, 59, 58));
      assert.deepEqual(obj.call('Echo', d), d);
      assert.deepEqual(obj.call('ДобавитьДни', d, 2), new Date(Date.UTC(2024, 2, 1, 23, 59, 58)));
      const empty = new Date(0);
      empty.setUTCFullYear(1, 0, 1);
      empty.setUTCHours(0, 0, 0, 0);
      assert.deepEqual(obj.call('Echo', empty), empty, 'the empty date 0001-01-01 (tm_year = -1899)');
      // milliseconds do not exist in BSL dates
      assert.deepEqual(obj.call('Echo', new Date(Date.UTC(2020, 5, 6, 7, 8, 9, 999))), new Date(Date.UTC(2020, 5, 6, 7, 8, 9)));
    });
    assert.deepEqual(fromOleDate(-1.25), new Date(Date.UTC(1899, 11, 29, 6)), 'negative OLE dates keep a positive time');
  });

  it('reads every scalar variant type a component may return', () => {
    withSample((obj, host) => {
      const tv = (vt: number): unknown => obj.call('ЗначениеТипа', vt);
      assert.equal(tv(VT.EMPTY), undefined);
      assert.equal(tv(VT.NULL), null);
      assert.equal(tv(VT.I1), -5);
      assert.equal(tv(VT.I2), -300);
      assert.equal(tv(VT.I4), -70000);
      assert.equal(tv(VT.R4), 1.5);
      assert.equal(tv(VT.R8), 2.25);
      assert.deepEqual(tv(VT.DATE), new Date(Date.UTC(2023, 2, 15, 12)));
      assert.deepEqual(tv(VT.TM), new Date(Date.UTC(2024, 1, 29, 13, 14, 15)));
      assert.equal(tv(VT.PSTR), 'ascii text');
      assert.equal(tv(VT.ERROR), 7);
      assert.equal(tv(VT.BOOL), true);
      assert.equal(tv(VT.UI1), 200);
      assert.equal(tv(VT.UI2), 60000);
      assert.equal(tv(VT.UI4), 4_000_000_000);
      assert.equal(tv(VT.I8), 2 ** 40 + 1);
      assert.equal(tv(VT.UI8), 5_000_000_000);
      assert.equal(tv(VT.INT), -12);
      assert.equal(tv(VT.UINT), 12);
      assert.equal(tv(VT.HRESULT), -2147467259);
      assert.equal(tv(VT.PWSTR), 'строка');
      assert.deepEqual([...(tv(VT.BLOB) as BinaryData).bytes], [1, 2, 3]);
      bslError(() => tv(VT.CLSID), 'Значение недопустимого типа (tVariant vt = 24)');
      assert.equal(host.memory.liveAllocations().length, 0, 'PSTR, PWSTR and BLOB results were freed');
    });
  });
});

describe('errors and events', () => {
  it('turns a false return into BslError carrying the AddError records of that call', () => {
    withSample((obj) => {
      obj.call('Предупредить', 'только сведения');
      assert.equal(obj.errors.length, 1);
      assert.deepEqual(obj.errors[0], {
        wcode: 1005,
        source: 'AddIn.Sample',
        descr: 'только сведения',
        scode: 0,
        during: 'CallAsProc(Предупредить)',
      });
      const e = bslError(
        () => obj.call('ВызватьОшибку', 'Соединение разорвано'),
        'Ошибка при вызове метода контекста (ВызватьОшибку): Соединение разорвано',
      );
      assert.deepEqual(e.records, [
        {
          wcode: 1006,
          source: 'AddIn.Sample',
          descr: 'Соединение разорвано',
          scode: -2147467259,
          during: 'CallAsProc(ВызватьОшибку)',
        },
      ]);
      assert.equal(obj.errors.length, 2, 'obj.errors keeps every record');
    });
  });

  it('queues ExternalEvent up to the buffer depth (default 1) and refuses more until drained', () => {
    withSample((obj, host) => {
      assert.equal(obj.eventBufferDepth, 1);
      assert.equal(obj.call('ВызватьСобытие', 'Сообщение', 'данные 😀'), true);
      assert.equal(obj.call('Fire', 'second', ''), false, 'the buffer is full');
      assert.deepEqual(obj.events, [{ source: 'Sample', message: 'Сообщение', data: 'данные 😀' }]);
      assert.deepEqual(obj.rejectedEvents, [{ source: 'Sample', message: 'second', data: '' }]);
      assert.deepEqual(obj.takeEvents(), [{ source: 'Sample', message: 'Сообщение', data: 'данные 😀' }]);
      assert.equal(obj.events.length, 0);
      assert.equal(obj.call('Fire', 'third', 'x'), true, 'accepted again once drained');
      obj.takeEvents();

      assert.equal(obj.call('УстановитьГлубинуБуфера', 3), 3);
      assert.deepEqual([1, 2, 3, 4].map((i) => obj.call('Fire', `m${i}`, '')), [true, true, true, false]);
      // queues are per object
      const other = host.create('AddIn.Test.Sample');
      assert.equal(other.events.length, 0);
      assert.equal(other.call('Fire', 'own', ''), true);
      assert.equal(obj.events.length, 3);
    });
  });

  it('receives an event the component sends from its own thread', async () => {
    const host = attachAddIn(modernPath, 'Test');
    const obj = host.create('AddIn.Test.Sample');
    obj.call('ВызватьСобытиеПозже', 20, 'из потока');
    const ev = await obj.waitEvent(5000);
    assert.deepEqual(ev, { source: 'Sample', message: 'Later', data: 'из потока' });
    await assert.rejects(obj.waitEvent(30), /no external event/);
    host.close();
    host.assertClean();
  });

  it('serves IMsgBox, IPlatformInfo, the status line and the profile', () => {
    const questions: string[] = [];
    withSample(
      (obj, host) => {
        assert.equal(obj.get('Platform'), '8.3.24.1500|Emulator/1.0|0');
        assert.equal(obj.call('Вопрос', 'Продолжить?'), false);
        assert.deepEqual(questions, ['Продолжить?']);
        assert.deepEqual(host.services.confirms, [{ question: 'Продолжить?', answer: false }]);
        obj.call('ShowAlert', 'Внимание');
        assert.deepEqual(host.services.alerts, ['Внимание']);
        obj.call('Статус', 'Загрузка…');
        assert.equal(obj.statusLine, 'Загрузка…');
        obj.call('Status', '');
        assert.equal(obj.statusLine, '');
        obj.call('СохранитьНастройку', 'Адрес', 'wss://пример.рф');
        assert.equal(host.services.profiles.get('SampleProfile')?.get('Адрес'), 'wss://пример.рф');
        assert.equal(obj.call('ЗагрузитьНастройку', 'Адрес'), 'wss://пример.рф');
        assert.equal(obj.call('LoadSetting', 'Нет'), undefined);
      },
      {
        appVersion: '8.3.24.1500',
        userAgent: 'Emulator/1.0',
        application: 'thinClient',
        confirm: (q) => {
          questions.push(q);
          return false;
        },
      },
    );
  });
});

describe('host-side failures', () => {
  it('answers 0 to the component when a host callback fails, and reports it', () => {
    const host = attachAddIn(modernPath, 'Test', {
      confirm: () => {
        throw new Error('no answer today');
      },
    });
    const obj = host.create('AddIn.Test.Sample');
    // IMsgBox::Confirm returned false, so the component's method failed
    bslError(() => obj.call('Confirm', '?'), 'Ошибка при вызове метода контекста (Confirm)');
    host.close();
    assert.deepEqual(host.problems(), ['host callback: IMsgBox::Confirm failed in the host: no answer today']);
    assert.throws(() => host.assertClean(), ProtocolError);
  });
});

describe('strict memory manager', () => {
  it('is clean after ordinary traffic (the negative control)', () => {
    withSample((obj, host) => {
      obj.call('Echo', 'строка');
      bslError(
        () => obj.call('Fault', 'no-such-fault', skip),
        'Ошибка при вызове метода контекста (Fault): unknown fault: no-such-fault',
      );
      assert.deepEqual(host.memory.problems, []);
      assert.ok(host.memory.stats.hostAllocations > 0 && host.memory.stats.componentAllocations > 0);
    });
  });

  it('catches memory the component allocated and never handed over', () => {
    const lines = problemsAfter((obj) => obj.call('Неисправность', 'leak'));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /^leak: .*32 bytes, allocated by the component in AddIn\.Test\.Sample CallAsProc\(Неисправность\)/);
  });

  it('catches a double FreeMemory', () => {
    const lines = problemsAfter((obj) => obj.call('Fault', 'double-free'));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /^double-free: .* freed by the component in .*Fault.* was already freed by the component/);
  });

  it('catches FreeMemory of a pointer it never allocated', () => {
    const lines = problemsAfter((obj) => obj.call('Fault', 'free-unknown'));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /^unknown-pointer: /);
  });

  it('catches a parameter rewritten without freeing the host payload', () => {
    const lines = problemsAfter((obj) => obj.call('Fault', 'param-leak', 'исходная строка'));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /^leak: .*allocated by the host in parameter 2 of Fault.*parameter payload nobody freed/);
  });

  it('catches a parameter payload freed by the component and left in place (the host frees it again)', () => {
    const lines = problemsAfter((obj) => obj.call('Fault', 'param-double-free', 'строка'));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /^double-free: .* freed by the host .* already freed by the component/);
  });

  it('catches a write past the end of a block', () => {
    const lines = problemsAfter((obj) => obj.call('Fault', 'overrun'));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /^overrun: .*4 bytes.* written past its end \(byte 4\)/);
  });
});
