/**
 * The single source of truth for what BSL sees: classes, methods, properties, their Russian and
 * English names, parameter counts and defaults. The engine dispatches by these ids, and
 * `scripts/gen-native.mjs` generates the C++ library's name table from this file at build time.
 *
 * Ids are positions in the arrays: they are what crosses the wire, so append new members at the
 * end of a class and never reorder.
 */

/** How a parameter's value is checked by the engine. */
export type ParamKind =
  /** a String; anything else is a «<bad cast>» */
  | 'string'
  /** a Number (any numeric variant type) */
  | 'number'
  /** message body: a String (text frame) */
  | 'message'
  /** an out-parameter: the incoming value is ignored and a new one is written back */
  | 'out';

export interface ParamSpec {
  readonly ru: string;
  readonly en: string;
  readonly kind: ParamKind;
  /**
   * The value used when BSL omits the argument (or passes Undefined).
   * `undefined` means the parameter is mandatory. `null` means "Undefined" (VTYPE_EMPTY).
   */
  readonly default?: string | number | boolean | null;
}

/** What the library does by itself when its engine process is gone. */
export type EngineLostPolicy =
  /** fail with the "engine is not running" error (the default) */
  | 'error'
  /** start a new engine and a new object there, then make the call */
  | 'restart'
  /** succeed without doing anything (nothing to stop or disconnect any more) */
  | 'succeed';

export interface MethodSpec {
  readonly ru: string;
  readonly en: string;
  /** further names accepted by FindMethod (the document uses two names for Receive) */
  readonly aliases?: readonly string[];
  readonly params: readonly ParamSpec[];
  /** HasRetVal: the method can be used in an expression */
  readonly returns: boolean;
  /** answered by the library itself, never sent to the engine */
  readonly local?: 'errorDescription';
  readonly onEngineLost?: EngineLostPolicy;
  /**
   * Takes received messages (Принять and ПринятьСообщение): they share the object's message queue
   * and its batches, so the library gives a batch made for one of them up before another of them
   * reaches the engine (docs/protocol.md, batches).
   */
  readonly takesMessages?: true;
}

export interface PropSpec {
  readonly ru: string;
  readonly en: string;
  readonly readable: boolean;
  readonly writable: boolean;
  /** what a writable property accepts (checked by the engine) */
  readonly kind?: 'string' | 'number' | 'boolean';
  /** the value the library reports when its engine process is gone */
  readonly whenEngineLost: string | number | boolean;
  /**
   * What the native library itself does once the engine accepted a SET of this property:
   * `externalEvents` starts (true) or stops (false) its event thread, `eventBufferDepth` calls
   * the platform's SetEventBufferDepth (docs/features.md "External events").
   */
  readonly libraryAction?: 'externalEvents' | 'eventBufferDepth';
}

export interface ClassSpec {
  /** the name returned by GetClassNames and RegisterExtensionAs: BSL type AddIn.<Symbolic>.<name> */
  readonly name: string;
  readonly methods: readonly MethodSpec[];
  readonly props: readonly PropSpec[];
}

const errorDescription: MethodSpec = {
  ru: 'ОписаниеОшибки',
  en: 'ErrorDescription',
  params: [],
  returns: true,
  local: 'errorDescription',
};

/** A setting: readable, writable, checked by kind; the engine applies it at the next Connect/Run. */
function setting(ru: string, en: string, kind: 'string' | 'number' | 'boolean', whenEngineLost: string | number | boolean): PropSpec {
  return { ru, en, readable: true, writable: true, kind, whenEngineLost };
}

function readOnly(ru: string, en: string, whenEngineLost: string | number | boolean): PropSpec {
  return { ru, en, readable: true, writable: false, whenEngineLost };
}

/** External events (docs/features.md): the same three properties at the end of both classes. */
const eventProps: readonly PropSpec[] = [
  { ...setting('ВнешниеСобытия', 'ExternalEvents', 'boolean', false), libraryAction: 'externalEvents' },
  setting('ИсточникСобытий', 'EventSource', 'string', 'WebSocket'),
  { ...setting('ГлубинаОчередиСобытий', 'EventBufferDepth', 'number', 1), libraryAction: 'eventBufferDepth' },
];

const timeout: ParamSpec = { ru: 'Таймаут', en: 'Timeout', kind: 'number' };
const data: ParamSpec = { ru: 'Данные', en: 'Data', kind: 'out', default: null };
const clientId: ParamSpec = { ru: 'ИДКлиента', en: 'ClientID', kind: 'number' };
const body: ParamSpec = { ru: 'ТелоСообщения', en: 'MessageBody', kind: 'message' };

/**
 * Принять for hosts without out-parameters (docs/other-hosts.md): the message is the result, String
 * or ДвоичныеДанные, Undefined when none came within the timeout.
 */
const receiveMessage: MethodSpec = {
  ru: 'ПринятьСообщение',
  en: 'ReceiveMessage',
  params: [timeout],
  returns: true,
  takesMessages: true,
};

export const CLIENT: ClassSpec = {
  name: 'Client',
  methods: [
    {
      ru: 'Подключиться',
      en: 'Connect',
      params: [{ ru: 'АдресСервера', en: 'ServerAddress', kind: 'string' }],
      returns: true,
      onEngineLost: 'restart',
    },
    { ru: 'Отключиться', en: 'Disconnect', params: [], returns: true, onEngineLost: 'succeed' },
    { ru: 'Отправить', en: 'Send', params: [body], returns: true },
    {
      ru: 'Принять',
      en: 'Receive',
      aliases: ['Получить'],
      params: [timeout, data],
      returns: true,
      takesMessages: true,
    },
    errorDescription,
    // Beyond the original product (docs/features.md): append only, ids are positions.
    {
      ru: 'УстановитьЗаголовок',
      en: 'SetHeader',
      params: [
        { ru: 'Имя', en: 'Name', kind: 'string' },
        { ru: 'Значение', en: 'Value', kind: 'string' },
      ],
      returns: true,
    },
    { ru: 'ОчиститьЗаголовки', en: 'ClearHeaders', params: [], returns: true },
    receiveMessage,
  ],
  props: [
    readOnly('Статус', 'Status', -1),
    readOnly('Сервер', 'Server', ''),
    setting('Подпротоколы', 'Subprotocols', 'string', ''),
    readOnly('Подпротокол', 'Protocol', ''),
    setting('ТаймаутПодключения', 'ConnectTimeout', 'number', 0),
    // keep-alive defaults: DEFAULT_PING_INTERVAL_MS in src/engine/options.ts
    setting('ИнтервалПинга', 'PingInterval', 'number', 30_000),
    setting('ТаймаутПинга', 'PingTimeout', 'number', 30_000),
    setting('ФайлЦС', 'CAFile', 'string', ''),
    setting('СертификатКлиента', 'ClientCertificate', 'string', ''),
    setting('КлючКлиента', 'ClientKey', 'string', ''),
    // Write-only: a password is never read back.
    { ru: 'ПарольКлючаКлиента', en: 'ClientKeyPassword', readable: false, writable: true, kind: 'string', whenEngineLost: '' },
    setting('НеПроверятьСертификатСервера_ОПАСНО', 'InsecureSkipVerify_DANGER', 'boolean', false),
    setting('Прокси', 'Proxy', 'string', ''),
    setting('Сжатие', 'Compression', 'boolean', false),
    setting('МаксимальныйРазмерСообщения', 'MaxMessageSize', 'number', 0),
    readOnly('КодЗакрытия', 'CloseCode', 0),
    readOnly('ПричинаЗакрытия', 'CloseReason', ''),
    readOnly('ДвоичноеСообщение', 'IsBinary', false),
    setting('Автопереподключение', 'AutoReconnect', 'boolean', false),
    readOnly('Переподключение', 'Reconnecting', false),
    ...eventProps,
    setting('ТолькоФайлЦС', 'CAFileOnly', 'boolean', false),
  ],
};

export const SERVER: ClassSpec = {
  name: 'Server',
  methods: [
    {
      ru: 'Запустить',
      en: 'Run',
      // Two forms are accepted (see docs/decisions.md): Run(iface, port, pemWithKeyAndCert, password)
      // and the five-argument form the document's own example uses: Run(iface, port, cert, key, password).
      params: [
        { ru: 'Интерфейс', en: 'Interface', kind: 'string' },
        { ru: 'Порт', en: 'Port', kind: 'number' },
        { ru: 'Сертификат', en: 'Certificate', kind: 'string', default: '' },
        { ru: 'Пароль', en: 'Password', kind: 'string', default: '' },
        { ru: 'ПарольКлюча', en: 'KeyPassword', kind: 'string', default: '' },
      ],
      returns: true,
      onEngineLost: 'restart',
    },
    { ru: 'Остановить', en: 'Stop', params: [], returns: true, onEngineLost: 'succeed' },
    { ru: 'Отправить', en: 'Send', params: [clientId, body], returns: true },
    {
      ru: 'Принять',
      en: 'Receive',
      aliases: ['Получить'],
      params: [timeout, { ...clientId, kind: 'out', default: null }, data],
      returns: true,
      takesMessages: true,
    },
    { ru: 'Отключить', en: 'Disconnect', params: [clientId], returns: true },
    errorDescription,
    // Beyond the original product (docs/features.md): append only, ids are positions.
    {
      ru: 'ОтправитьВсем',
      en: 'Broadcast',
      params: [body, { ru: 'СписокИД', en: 'IDList', kind: 'string', default: '' }],
      returns: true,
    },
    { ru: 'ИнформацияОСоединении', en: 'ConnectionInfo', params: [clientId], returns: true },
    {
      ru: 'ПринятьСобытие',
      en: 'ReceiveEvent',
      params: [timeout, { ...clientId, kind: 'out', default: null }, { ru: 'Событие', en: 'Event', kind: 'out', default: null }],
      returns: true,
    },
    receiveMessage,
  ],
  props: [
    readOnly('Сервер', 'Server', ''),
    readOnly('Порт', 'Port', 0),
    readOnly('Соединения', 'Connections', ''),
    setting('Сжатие', 'Compression', 'boolean', false),
    setting('МаксимальныйРазмерСообщения', 'MaxMessageSize', 'number', 0),
    setting('МаксимумСоединений', 'MaxConnections', 'number', 0),
    setting('РазрешенныеИсточники', 'AllowedOrigins', 'string', ''),
    readOnly('Состояние', 'Health', ''),
    readOnly('ДвоичноеСообщение', 'IsBinary', false),
    setting('СобытияСоединений', 'ConnectionEvents', 'boolean', false),
    setting('ИнтервалПинга', 'PingInterval', 'number', 30_000),
    ...eventProps,
    setting('ФайлЦСКлиентов', 'ClientCAFile', 'string', ''),
    // Who may re-attach to this server once its object is gone (docs/infobases.md): "" parks nothing.
    setting('Владелец', 'Owner', 'string', ''),
    // the connection the message BSL took last came from (ПринятьСообщение has no out-parameter)
    readOnly('ИДОтправителя', 'SenderID', 0),
    // Cluster mode (docs/cluster.md): servers with the same Redis and service name act as one service.
    setting('КластерRedis', 'ClusterRedis', 'string', ''),
    setting('ИмяСервиса', 'ServiceName', 'string', ''),
  ],
};

/** Class ids on the wire are positions in this array. */
export const CLASSES: readonly ClassSpec[] = [CLIENT, SERVER];

export const CLIENT_CLASS_ID = 0;
export const SERVER_CLASS_ID = 1;

/** Finds a member's id by its name as BSL would (any language, any letter case). */
export function findMember(
  members: readonly { ru: string; en: string; aliases?: readonly string[] }[],
  name: string,
): number {
  const wanted = name.toLocaleLowerCase('ru');
  return members.findIndex((m) =>
    [m.ru, m.en, ...(m.aliases ?? [])].some((n) => n.toLocaleLowerCase('ru') === wanted),
  );
}
