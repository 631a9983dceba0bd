/**
 * Checks what a 1C compiler (or the platform, for context rules) would reject in a BSL module, as
 * far as the examples need: balanced blocks, keywords in their places, context directives only where
 * the module type allows them, `Ждать` only in `Асинх` methods, the platform's error description only
 * inside `Исключение`, no `Сообщить` in job code and no blocking attachment of add-ins in client code.
 * Not a parser: it walks the keywords of the code left after `stripBsl` removed comments and strings.
 *
 * The module type comes from a header the examples must start with:
 *   // Модуль: <kind> …        — «модуль формы», «модуль команды», «общий модуль …», «модуль объекта» …
 *   // Выполняется: <where> …  — e.g. «на сервере, в фоновом задании»
 * A common module's `Модуль:` line names its flags («Сервер», «Клиент (управляемое приложение)», «Вызов сервера»).
 */
import { stripBsl } from './bsl-scan.js';

export type ModuleKind = 'form' | 'command' | 'common' | 'object' | 'application';

export interface ModuleHeader {
  kind: ModuleKind;
  /** the `Модуль:` line */
  module: string;
  /** the `Выполняется:` line */
  runs: string;
  /** code that runs in a background or scheduled job (no user to show Сообщить to) */
  job: boolean;
  /** a common module compiled on the client */
  clientCommon: boolean;
}

/** Context directives of managed forms (and, in part, commands), Russian and English. */
const FORM_DIRECTIVES = [
  'НаКлиенте', 'НаСервере', 'НаСервереБезКонтекста', 'НаКлиентеНаСервереБезКонтекста', 'НаКлиентеНаСервере',
  'AtClient', 'AtServer', 'AtServerNoContext', 'AtClientAtServerNoContext', 'AtClientAtServer',
];
const COMMAND_DIRECTIVES = ['НаКлиенте', 'НаСервере', 'НаСервереБезКонтекста', 'AtClient', 'AtServer', 'AtServerNoContext'];
const CLIENT_DIRECTIVES = /^(НаКлиенте|AtClient)$/i;

const lower = (s: string): string => s.toLocaleLowerCase('ru');
const word = (...names: string[]): Set<string> => new Set(names.map(lower));

const KW = {
  procedure: word('Процедура', 'Procedure'),
  function: word('Функция', 'Function'),
  endProcedure: word('КонецПроцедуры', 'EndProcedure'),
  endFunction: word('КонецФункции', 'EndFunction'),
  async: word('Асинх', 'Async'),
  await: word('Ждать', 'Await'),
  if: word('Если', 'If'),
  then: word('Тогда', 'Then'),
  elseIf: word('ИначеЕсли', 'ElsIf'),
  else: word('Иначе', 'Else'),
  endIf: word('КонецЕсли', 'EndIf'),
  for: word('Для', 'For'),
  while: word('Пока', 'While'),
  do: word('Цикл', 'Do'),
  endDo: word('КонецЦикла', 'EndDo'),
  try: word('Попытка', 'Try'),
  except: word('Исключение', 'Except'),
  endTry: word('КонецПопытки', 'EndTry'),
  loopJump: word('Прервать', 'Break', 'Продолжить', 'Continue'),
  return: word('Возврат', 'Return'),
  var: word('Перем', 'Var'),
};
/** the platform's description of the exception being handled: meaningful only inside Исключение */
const ERROR_INFO = word('ОписаниеОшибки', 'ErrorDescription', 'ИнформацияОбОшибке', 'ErrorInfo');
const MESSAGE = word('Сообщить', 'Message');
const BLOCKING_ATTACH = word('ПодключитьВнешнююКомпоненту', 'AttachAddIn', 'УстановитьВнешнююКомпоненту', 'InstallAddIn');

/** Reads the `// Модуль:` and `// Выполняется:` lines of the leading comment block. */
export function readHeader(source: string): ModuleHeader | string {
  const lines: string[] = [];
  for (const raw of source.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('//')) break;
    lines.push(line.slice(2).trim());
  }
  const field = (name: RegExp): string | undefined => lines.find((l) => name.test(l))?.replace(name, '').trim();
  const module = field(/^(Модуль|Module):/i);
  const runs = field(/^(Выполняется|Runs):/i);
  if (module === undefined || runs === undefined) {
    return 'the header (leading comments) must have a «// Модуль: …» line and a «// Выполняется: …» line';
  }
  const m = lower(module);
  let kind: ModuleKind;
  if (/модуль (управляемой )?формы|form module/.test(m)) kind = 'form';
  else if (/модуль команды|command module/.test(m)) kind = 'command';
  else if (/общий модуль|common module/.test(m)) kind = 'common';
  else if (/модуль (объекта|менеджера|набора записей)|(object|manager) module/.test(m)) kind = 'object';
  else if (/модуль (управляемого )?приложения|модуль сеанса|application module|session module/.test(m)) kind = 'application';
  else return `«Модуль: ${module}» names no module type the checker knows (формы, команды, общий модуль, объекта, менеджера, приложения, сеанса)`;
  if (kind === 'common' && !/«(сервер|клиент|вызов сервера|server|client|server call)/.test(m)) {
    return 'a common module\'s «Модуль:» line must name its flags («Сервер», «Клиент (управляемое приложение)», «Вызов сервера»)';
  }
  return {
    kind,
    module,
    runs,
    job: /(фонов|регламентн)\S* задани|background job|scheduled job/.test(lower(runs)),
    clientCommon: kind === 'common' && /«(клиент|client)/.test(m),
  };
}

interface Token {
  text: string;
  key: string;
  line: number;
  /** preceded by `.`: a member name, never a keyword */
  member: boolean;
  /** followed by `(` */
  call: boolean;
  /** where the word starts in its line */
  column: number;
}

type Frame =
  | { type: 'method'; line: number; fn: boolean; async: boolean; client: boolean }
  | { type: 'if'; line: number; thenPending: boolean; elseSeen: boolean }
  | { type: 'loop'; line: number; doPending: boolean }
  | { type: 'try'; line: number; except: boolean };

function tokens(codeLine: string, line: number): Token[] {
  const out: Token[] = [];
  for (const m of codeLine.matchAll(/[A-Za-zА-Яа-яЁё_][0-9A-Za-zА-Яа-яЁё_]*/g)) {
    const before = codeLine.slice(0, m.index).trimEnd();
    const after = codeLine.slice(m.index + m[0].length).trimStart();
    out.push({ text: m[0], key: lower(m[0]), line, member: before.endsWith('.'), call: after.startsWith('('), column: m.index });
  }
  return out;
}

/** Returns one line per problem ("<line>: <what>"); empty when the module passes. */
export function checkBslStructure(source: string): string[] {
  const problems: string[] = [];
  const header = readHeader(source);
  if (typeof header === 'string') problems.push(`1: ${header}`);
  const kind = typeof header === 'string' ? undefined : header.kind;

  const { code } = stripBsl(source);
  const stack: Frame[] = [];
  const preprocessor: { line: number; region: boolean; depth: number }[] = [];
  let directive: { name: string; line: number } | undefined;
  let asyncPending: number | undefined;
  const method = (): Extract<Frame, { type: 'method' }> | undefined =>
    stack[0]?.type === 'method' ? stack[0] : undefined;
  const top = (): Frame | undefined => stack[stack.length - 1];
  const report = (line: number, text: string): void => void problems.push(`${line}: ${text}`);

  const lines = code.split('\n');
  lines.forEach((codeLine, index) => {
    const line = index + 1;
    const trimmed = codeLine.trim();

    if (trimmed.startsWith('#')) {
      const m = /^#\s*([A-Za-zА-Яа-яЁё]+)/.exec(trimmed);
      const name = lower(m?.[1] ?? '');
      if (name === 'область' || name === 'region') {
        preprocessor.push({ line, region: true, depth: stack.length });
      } else if (name === 'если' || name === 'if') {
        if (!/\s(Тогда|Then)\s*$/i.test(trimmed)) report(line, '#Если without Тогда');
        preprocessor.push({ line, region: false, depth: stack.length });
      } else if (['конецобласти', 'endregion', 'конецесли', 'endif'].includes(name)) {
        const region = name === 'конецобласти' || name === 'endregion';
        const open = preprocessor.pop();
        if (!open) report(line, `#${m?.[1]} without an opening ${region ? '#Область' : '#Если'}`);
        else if (open.region !== region) report(line, `#${m?.[1]} closes the ${open.region ? '#Область' : '#Если'} of line ${open.line}`);
        else if (open.region && open.depth !== stack.length) report(line, `#КонецОбласти at another block depth than its #Область (line ${open.line})`);
      } else if (['иначеесли', 'elsif', 'иначе', 'else'].includes(name)) {
        if (preprocessor[preprocessor.length - 1]?.region !== false) report(line, `#${m?.[1]} outside #Если`);
      } else if (name !== 'использовать' && name !== 'use') {
        report(line, `unknown preprocessor instruction ${trimmed}`);
      }
      return;
    }

    if (trimmed.startsWith('&')) {
      const name = /^&\s*([A-Za-zА-Яа-яЁё]+)/.exec(trimmed)?.[1] ?? '';
      const allowed = kind === 'form' ? FORM_DIRECTIVES : kind === 'command' ? COMMAND_DIRECTIVES : [];
      if (!allowed.some((d) => lower(d) === lower(name))) {
        report(line, kind === 'form' || kind === 'command'
          ? `&${name} is not a context directive of a ${kind} module`
          : `&${name}: context directives are allowed only in form and command modules, this is ${kind ?? 'an unknown'} module`);
      }
      if (stack.length > 0) report(line, `&${name} inside a block`);
      directive = { name, line };
      return;
    }

    for (const t of tokens(codeLine, line)) {
      if (t.member) continue;
      const k = t.key;
      const frame = top();

      if (directive && !KW.procedure.has(k) && !KW.function.has(k) && !KW.async.has(k) && !KW.var.has(k)) {
        report(directive.line, `&${directive.name} must be followed by Процедура, Функция or Перем`);
        directive = undefined;
      }
      if (asyncPending !== undefined && !KW.procedure.has(k) && !KW.function.has(k)) {
        report(asyncPending, 'Асинх must be followed by Процедура or Функция');
        asyncPending = undefined;
      }
      const blockKeyword = [KW.if, KW.elseIf, KW.else, KW.endIf, KW.for, KW.while, KW.endDo, KW.try, KW.except, KW.endTry,
        KW.procedure, KW.function, KW.endProcedure, KW.endFunction].some((s) => s.has(k));
      if (blockKeyword && frame?.type === 'if' && frame.thenPending) {
        report(frame.line, 'Если/ИначеЕсли without Тогда');
        frame.thenPending = false;
      }
      if (blockKeyword && frame?.type === 'loop' && frame.doPending) {
        report(frame.line, 'Для/Пока without Цикл');
        frame.doPending = false;
      }

      if (KW.var.has(k)) {
        if (kind === 'common') report(line, 'Перем in a common module: common modules have no module variables');
        if (stack.length > 0) report(line, 'Перем inside a block: module variables come before the procedures');
        directive = undefined;
      } else if (KW.async.has(k)) {
        asyncPending = line;
      } else if (KW.procedure.has(k) || KW.function.has(k)) {
        if (stack.length > 0) report(line, `${t.text} inside another block (opened on line ${stack[0]?.line})`);
        stack.push({
          type: 'method',
          line,
          fn: KW.function.has(k),
          async: asyncPending !== undefined,
          client: directive ? CLIENT_DIRECTIVES.test(directive.name) : typeof header !== 'string' && header.clientCommon,
        });
        directive = undefined;
        asyncPending = undefined;
      } else if (KW.endProcedure.has(k) || KW.endFunction.has(k)) {
        const fn = KW.endFunction.has(k);
        if (frame?.type !== 'method') {
          report(line, `${t.text} ${frame ? `while the block of line ${frame.line} is open` : 'without Процедура/Функция'}`);
        } else if (frame.fn !== fn) {
          report(line, `${t.text} closes a ${frame.fn ? 'Функция' : 'Процедура'} (line ${frame.line})`);
        }
        // close whatever was left open up to the method so one slip is reported once
        while (stack.length > 0 && stack.pop()?.type !== 'method');
      } else if (KW.if.has(k)) {
        stack.push({ type: 'if', line, thenPending: true, elseSeen: false });
      } else if (KW.then.has(k)) {
        if (frame?.type === 'if' && frame.thenPending) frame.thenPending = false;
        else report(line, 'Тогда without Если/ИначеЕсли');
      } else if (KW.elseIf.has(k) || KW.else.has(k)) {
        if (frame?.type !== 'if') report(line, `${t.text} outside Если`);
        else if (frame.elseSeen) report(line, `${t.text} after Иначе`);
        else if (KW.elseIf.has(k)) frame.thenPending = true;
        else frame.elseSeen = true;
      } else if (KW.endIf.has(k)) {
        if (frame?.type === 'if') stack.pop();
        else report(line, `КонецЕсли ${frame ? `while the block of line ${frame.line} is open` : 'without Если'}`);
      } else if (KW.for.has(k) || KW.while.has(k)) {
        stack.push({ type: 'loop', line, doPending: true });
      } else if (KW.do.has(k)) {
        if (frame?.type === 'loop' && frame.doPending) frame.doPending = false;
        else report(line, 'Цикл without Для/Пока');
      } else if (KW.endDo.has(k)) {
        if (frame?.type === 'loop') stack.pop();
        else report(line, `КонецЦикла ${frame ? `while the block of line ${frame.line} is open` : 'without Для/Пока'}`);
      } else if (KW.try.has(k)) {
        stack.push({ type: 'try', line, except: false });
      } else if (KW.except.has(k)) {
        if (frame?.type !== 'try') report(line, 'Исключение outside Попытка');
        else if (frame.except) report(line, 'a second Исключение in one Попытка');
        else frame.except = true;
      } else if (KW.endTry.has(k)) {
        if (frame?.type !== 'try') report(line, `КонецПопытки ${frame ? `while the block of line ${frame.line} is open` : 'without Попытка'}`);
        else {
          if (!frame.except) report(line, `Попытка (line ${frame.line}) without Исключение`);
          stack.pop();
        }
      } else if (KW.loopJump.has(k)) {
        if (!stack.some((f) => f.type === 'loop')) report(line, `${t.text} outside a loop`);
      } else if (KW.return.has(k)) {
        const current = method();
        const after = codeLine.slice(t.column + t.text.length).trim();
        const hasValue = after !== '' && !after.startsWith(';');
        if (!current) report(line, 'Возврат outside a procedure or function');
        else if (current.fn && !hasValue) report(line, 'Возврат without a value in a Функция');
        else if (!current.fn && hasValue) report(line, 'Возврат with a value in a Процедура');
      } else if (KW.await.has(k)) {
        if (!method()?.async) report(line, 'Ждать outside an Асинх procedure or function');
      } else if (t.call && ERROR_INFO.has(k)) {
        if (!stack.some((f) => f.type === 'try' && f.except)) {
          report(line, `${t.text}() outside Исключение: the platform describes the exception being handled, and here there is none`);
        }
      } else if (t.call && MESSAGE.has(k) && typeof header !== 'string' && header.job) {
        report(line, `${t.text}() in job code: nobody sees it; log with ЗаписьЖурналаРегистрации`);
      } else if (t.call && BLOCKING_ATTACH.has(k) && method()?.client) {
        report(line, `${t.text}() blocks client code: use НачатьПодключениеВнешнейКомпоненты/НачатьУстановкуВнешнейКомпоненты or the …Асинх form`);
      }
    }
  });

  if (directive) report(directive.line, `&${directive.name} must be followed by Процедура, Функция or Перем`);
  for (const frame of stack) report(frame.line, `${frame.type === 'method' ? 'Процедура/Функция' : frame.type === 'if' ? 'Если' : frame.type === 'loop' ? 'Для/Пока' : 'Попытка'} is never closed`);
  for (const open of preprocessor) report(open.line, `${open.region ? '#Область' : '#Если'} is never closed`);
  return problems;
}
