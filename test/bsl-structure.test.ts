/**
 * The BSL structure checker (test/support/bsl-structure.ts) that every example must pass: a good
 * module passes, and each rule fails on a snippet that breaks it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkBslStructure, readHeader } from './support/bsl-structure.js';

const FORM = '// Модуль: модуль формы обработки\n// Выполняется: тонкий и толстый клиент, сервер\n';
const COMMON = '// Модуль: общий модуль Пример (флажки «Сервер», «Вызов сервера»)\n// Выполняется: на сервере\n';
const JOB = '// Модуль: общий модуль Задания (флажок «Сервер»)\n// Выполняется: на сервере, в фоновом задании\n';
const CLIENT_COMMON = '// Модуль: общий модуль ПримерКлиент (флажок «Клиент (управляемое приложение)»)\n// Выполняется: на клиенте\n';

/** The problems of a module made of a header and `body`, without their line numbers. */
const problems = (header: string, body: string): string[] => checkBslStructure(header + body).map((p) => p.replace(/^\d+: /, ''));
const lineOf = (header: string, body: string): number[] => checkBslStructure(header + body).map((p) => Number(p.split(':')[0]));

const GOOD_FORM = `
#Область ОбработчикиСобытийФормы

&НаКлиенте
Перем Клиент;

&НаКлиенте
Асинх Процедура ПриОткрытии(Отказ)
	Попытка
		Подключено = Ждать ПодключитьВнешнююКомпонентуАсинх("ОбщийМакет.WebSocket", "WebSocket", ТипВнешнейКомпоненты.Native);
	Исключение
		Сообщить(КраткоеПредставлениеОшибки(ИнформацияОбОшибке()));
	КонецПопытки;
	Если Подключено Тогда
		Клиент = Новый("AddIn.WebSocket.Client");
	ИначеЕсли Отказ Тогда
		Возврат;
	Иначе
		Строка = "Если без КонецЕсли в строке: Процедура, Попытка ""Цикл""
		|Исключение КонецПопытки"; // комментарий: Если Для Пока Попытка
	КонецЕсли;
	Для Каждого Элемент Из Новый Массив Цикл
		Если Элемент = Неопределено Тогда Продолжить; КонецЕсли;
	КонецЦикла;
	Для Шаг = 1 По 3 Цикл
		Пока Ложь Цикл Прервать; КонецЦикла;
	КонецЦикла;
	НачатьПодключениеВнешнейКомпоненты(Новый ОписаниеОповещения("ПослеПодключения", ЭтотОбъект), "ОбщийМакет.WebSocket", "WebSocket", ТипВнешнейКомпоненты.Native);
	Клиент.ОписаниеОшибки();
КонецПроцедуры

&НаСервереБезКонтекста
Функция НаСервере(Значение)
	#Если Сервер Тогда
	ПодключитьВнешнююКомпоненту("ОбщийМакет.WebSocket", "WebSocket", ТипВнешнейКомпоненты.Native);
	#Иначе
	#КонецЕсли
	Возврат Значение;
КонецФункции

#КонецОбласти
`;

describe('BSL structure checker', () => {
  it('passes a well-formed form module (Russian keywords, any case, strings and comments ignored)', () => {
    assert.deepEqual(problems(FORM, GOOD_FORM), []);
    assert.deepEqual(problems(FORM, GOOD_FORM.toUpperCase().replace('// МОДУЛЬ', '// Модуль')), []);
  });

  it('passes English keywords', () => {
    const body = `
&AtClient
Async Procedure OnOpen(Cancel)
	Try
		Attached = Await AttachAddInAsync("CommonTemplate.WebSocket", "WebSocket", AddInType.Native);
	Except
		Message(ErrorDescription());
	EndTry;
	If Attached Then Return; ElsIf Cancel Then Return; Else EndIf;
	For Each Item In New Array Do Break; EndDo;
	While False Do Continue; EndDo;
EndProcedure

&AtServerNoContext
Function Echo(Value)
	Return Value;
EndFunction
`;
    assert.deepEqual(problems(FORM, body), []);
  });

  it('requires the header: module type and where it runs; a common module names its flags', () => {
    assert.match(problems('', 'Процедура А()\nКонецПроцедуры\n').join('\n'), /must have a «\/\/ Модуль: …» line/);
    assert.match(problems('// Модуль: отчёт\n// Выполняется: везде\n', '').join('\n'), /names no module type/);
    assert.match(problems('// Модуль: общий модуль А\n// Выполняется: на сервере\n', '').join('\n'), /must name its flags/);
    const header = readHeader(JOB);
    assert.ok(typeof header !== 'string' && header.kind === 'common' && header.job && !header.clientCommon);
  });

  const bad: Array<[string, string, string, RegExp]> = [
    ['an unclosed procedure', FORM, '&НаКлиенте\nПроцедура А()\n', /Процедура\/Функция is never closed/],
    ['КонецФункции closing a Процедура', FORM, '&НаКлиенте\nПроцедура А()\nКонецФункции\n', /КонецФункции closes a Процедура/],
    ['a procedure inside a procedure', COMMON, 'Процедура А()\nПроцедура Б()\nКонецПроцедуры\nКонецПроцедуры\n', /Процедура inside another block/],
    ['Если without КонецЕсли', COMMON, 'Процедура А()\nЕсли Истина Тогда\nКонецПроцедуры\n', /КонецПроцедуры while the block of line 4 is open/],
    ['Если without Тогда', COMMON, 'Процедура А()\nЕсли Истина\nКонецЕсли;\nКонецПроцедуры\n', /Если\/ИначеЕсли without Тогда/],
    ['Иначе outside Если', COMMON, 'Процедура А()\nИначе\nКонецПроцедуры\n', /Иначе outside Если/],
    ['ИначеЕсли after Иначе', COMMON, 'Процедура А()\nЕсли 1 Тогда Иначе ИначеЕсли 2 Тогда КонецЕсли;\nКонецПроцедуры\n', /ИначеЕсли after Иначе/],
    ['Пока without Цикл', COMMON, 'Процедура А()\nПока Истина\nКонецЦикла;\nКонецПроцедуры\n', /Для\/Пока without Цикл/],
    ['КонецЦикла without a loop', COMMON, 'Процедура А()\nКонецЦикла;\nКонецПроцедуры\n', /КонецЦикла while the block of line 3 is open/],
    ['Попытка without Исключение', COMMON, 'Процедура А()\nПопытка\nКонецПопытки;\nКонецПроцедуры\n', /Попытка \(line 4\) without Исключение/],
    ['Исключение outside Попытка', COMMON, 'Процедура А()\nИсключение\nКонецПроцедуры\n', /Исключение outside Попытка/],
    ['Прервать outside a loop', COMMON, 'Процедура А()\nПрервать;\nКонецПроцедуры\n', /Прервать outside a loop/],
    ['an unclosed #Область', COMMON, '#Область А\nПроцедура А()\nКонецПроцедуры\n', /#Область is never closed/],
    ['#КонецЕсли closing an #Область', COMMON, '#Область А\n#КонецЕсли\n', /#КонецЕсли closes the #Область/],
    ['#Если without Тогда', COMMON, '#Если Сервер\n#КонецЕсли\n', /#Если without Тогда/],
    ['a directive in a common module', COMMON, '&НаСервере\nПроцедура А()\nКонецПроцедуры\n', /allowed only in form and command modules/],
    ['an unknown directive in a form', FORM, '&НаКлиентеИНаСервере\nПроцедура А()\nКонецПроцедуры\n', /not a context directive of a form module/],
    ['a directive not before a method', FORM, '&НаКлиенте\nА = 1;\n', /must be followed by Процедура, Функция or Перем/],
    ['Ждать outside Асинх', FORM, '&НаКлиенте\nПроцедура А()\nЖдать ПредупреждениеАсинх("");\nКонецПроцедуры\n', /Ждать outside an Асинх/],
    ['Асинх before something else', FORM, '&НаКлиенте\nАсинх Перем А;\n', /Асинх must be followed by Процедура or Функция/],
    ['ОписаниеОшибки() after a Ложь', COMMON, 'Процедура А()\nЕсли НЕ ПодключитьВнешнююКомпоненту("М", "W") Тогда\nВызватьИсключение ОписаниеОшибки();\nКонецЕсли;\nКонецПроцедуры\n', /ОписаниеОшибки\(\) outside Исключение/],
    ['ИнформацияОбОшибке() in the Попытка part', COMMON, 'Процедура А()\nПопытка\nИ = ИнформацияОбОшибке();\nИсключение\nКонецПопытки;\nКонецПроцедуры\n', /ИнформацияОбОшибке\(\) outside Исключение/],
    ['Сообщить in a job', JOB, 'Процедура А() Экспорт\nСообщить("нет зрителя");\nКонецПроцедуры\n', /Сообщить\(\) in job code/],
    ['Перем in a common module', COMMON, 'Перем А;\n', /common modules have no module variables/],
    ['Возврат with a value in a Процедура', COMMON, 'Процедура А()\nВозврат 1;\nКонецПроцедуры\n', /Возврат with a value in a Процедура/],
    ['Возврат without a value in a Функция', COMMON, 'Функция А()\nВозврат;\nКонецФункции\n', /Возврат without a value in a Функция/],
    ['a blocking attach in &НаКлиенте', FORM, '&НаКлиенте\nПроцедура А()\nПодключитьВнешнююКомпоненту("М", "W", ТипВнешнейКомпоненты.Native);\nКонецПроцедуры\n', /blocks client code/],
    ['a blocking install in a client common module', CLIENT_COMMON, 'Процедура А() Экспорт\nУстановитьВнешнююКомпоненту("М");\nКонецПроцедуры\n', /УстановитьВнешнююКомпоненту\(\) blocks client code/],
  ];
  for (const [what, header, body, expected] of bad) {
    it(`fails on ${what}`, () => {
      const found = problems(header, body);
      assert.ok(found.some((p) => expected.test(p)), `expected ${expected} among ${JSON.stringify(found)}`);
    });
  }

  it('reports the line of the problem', () => {
    assert.deepEqual(lineOf(COMMON, 'Процедура А()\n\tСообщить(ОписаниеОшибки());\nКонецПроцедуры\n'), [4]);
  });
});
