/**
 * Every text a user can see, in Russian and English, in one table. `{0}`, `{1}`… are replaced by
 * the arguments. Keys marked `library` are also compiled into the native library (it must be able
 * to say them when there is no engine to ask).
 */
export type Lang = 'ru' | 'en';

interface Text {
  readonly ru: string;
  readonly en: string;
  /** also needed by the native library (generated into its table) */
  readonly library?: true;
}

export const MESSAGES = {
  // Arguments
  badCast: {
    ru: '<bad cast> Параметр {0} ({1}): ожидается {2}, передано {3}',
    en: '<bad cast> Parameter {0} ({1}): expected {2}, got {3}',
    library: true,
  },
  missingParam: {
    ru: 'Не задан обязательный параметр {0} ({1})',
    en: 'Required parameter {0} ({1}) is missing',
    library: true,
  },
  badTimeout: {
    ru: 'Таймаут должен быть неотрицательным числом миллисекунд (0 — ждать бесконечно), передано {0}',
    en: 'Timeout must be a non-negative number of milliseconds (0 waits forever), got {0}',
  },
  typeString: { ru: 'Строка', en: 'String' },
  typeNumber: { ru: 'Число', en: 'Number' },
  typeBoolean: { ru: 'Булево', en: 'Boolean' },
  typeDate: { ru: 'Дата', en: 'Date' },
  typeBinary: { ru: 'ДвоичныеДанные', en: 'BinaryData' },
  typeUndefined: { ru: 'Неопределено', en: 'Undefined' },
  typeNull: { ru: 'Null', en: 'Null' },
  typeOther: { ru: 'значение неподдерживаемого типа', en: 'a value of an unsupported type' },
  unknownMember: {
    ru: 'Метод или свойство объекта не обнаружено ({0})',
    en: 'Object method or property not found ({0})',
    library: true,
  },
  readOnlyProperty: {
    ru: 'Свойство {0} доступно только для чтения',
    en: 'Property {0} is read-only',
    library: true,
  },

  // Client
  alreadyConnected: {
    ru: 'Подключение уже выполнено ({0}). Сначала вызовите Отключиться()',
    en: 'Подключение уже выполнено / already connected ({0}). Call Disconnect() first',
  },
  notConnected: {
    ru: 'Нет подключения к серверу: сначала вызовите Подключиться()',
    en: 'Not connected to a server: call Connect() first',
  },
  connectionClosed: {
    ru: 'Соединение с сервером {0} закрыто ({1})',
    en: 'The connection to {0} is closed ({1})',
  },
  invalidUrl: {
    ru: 'Неверный адрес сервера «{0}»: {1}',
    en: 'Invalid server address "{0}": {1}',
  },
  urlNotParsable: {
    ru: 'адрес не разбирается как URL (пример: ws://127.0.0.1:9098/path)',
    en: 'it is not a URL (example: ws://127.0.0.1:9098/path)',
  },
  urlBadScheme: {
    ru: 'схема «{0}» не поддерживается, ожидается ws:// или wss://',
    en: 'scheme "{0}" is not supported, expected ws:// or wss://',
  },
  urlBadPort: { ru: 'порт вне диапазона 1–65535', en: 'port out of range 1–65535' },
  urlNoHost: { ru: 'не указан узел', en: 'no host given' },
  urlHasFragment: {
    ru: 'адрес WebSocket не может содержать фрагмент (#…)',
    en: 'a WebSocket address cannot contain a fragment (#…)',
  },
  connectRefused: {
    ru: 'Сервер {0} отверг подключение (порт закрыт или сервер не запущен)',
    en: 'Server {0} refused the connection (port closed or server not running)',
  },
  dnsFailed: {
    ru: 'Не удалось найти узел «{0}» (ошибка DNS: {1})',
    en: 'Host "{0}" could not be resolved (DNS error: {1})',
  },
  caFileOnlyWithoutFile: {
    ru: 'ТолькоФайлЦС = Истина, но ФайлЦС не задан: нечему доверять',
    en: 'CAFileOnly is True but CAFile is not set: nothing to trust',
  },
  tlsFailed: {
    ru: 'Ошибка TLS при подключении к {0}: {1}',
    en: 'TLS error while connecting to {0}: {1}',
  },
  handshakeStatus: {
    ru: 'Сервер {0} ответил HTTP {1} вместо перехода на WebSocket',
    en: 'Server {0} answered HTTP {1} instead of switching to WebSocket',
  },
  connectTimeout: {
    ru: 'Истекло время ожидания подключения к {0} ({1} мс)',
    en: 'Timed out connecting to {0} ({1} ms)',
  },
  connectFailed: {
    ru: 'Не удалось подключиться к {0}: {1}',
    en: 'Could not connect to {0}: {1}',
  },
  connectAborted: {
    ru: 'Подключение к {0} прервано вызовом Отключиться()',
    en: 'Connecting to {0} was aborted by Disconnect()',
  },
  outgoingBufferFull: {
    ru: 'Буфер отправки переполнен ({0} байт не отправлено, предел {1}): получатель не успевает принимать данные',
    en: 'Send buffer is full ({0} bytes unsent, limit {1}): the peer is not reading fast enough',
  },
  messageTooLarge: {
    ru: 'Сообщение слишком велико: {0} байт, предел {1}',
    en: 'Message too large: {0} bytes, limit {1}',
  },

  invalidProxy: {
    ru: 'Неверный адрес прокси «{0}»: ожидается http://узел:порт, socks5://пользователь:пароль@узел:порт или "env" (переменные HTTP_PROXY/HTTPS_PROXY/ALL_PROXY)',
    en: 'Invalid proxy "{0}": expected http://host:port, socks5://user:password@host:port or "env" (HTTP_PROXY/HTTPS_PROXY/ALL_PROXY variables)',
  },
  systemProxyUnsupported: {
    ru: 'Прокси "system" (настройки Windows) не поддерживается: укажите адрес прокси (http://узел:порт, socks5://узел:порт) или "env"',
    en: 'Proxy "system" (Windows settings) is not supported: give the proxy address (http://host:port, socks5://host:port) or "env"',
  },

  settingWhileConnected: {
    ru: 'Свойство {0} можно менять только до Подключиться()/Запустить()',
    en: 'Property {0} can only be changed before Connect()/Run()',
  },
  badSetting: {
    ru: '<bad cast> Свойство {0}: ожидается {1}, передано {2}',
    en: '<bad cast> Property {0}: expected {1}, got {2}',
  },
  badSettingValue: {
    ru: 'Недопустимое значение свойства {0}: {1}',
    en: 'Invalid value of property {0}: {1}',
  },
  nonNegativeMs: { ru: 'ожидается неотрицательное число миллисекунд', en: 'a non-negative number of milliseconds expected' },
  nonNegativeWhole: { ru: 'ожидается неотрицательное целое число', en: 'a non-negative whole number expected' },
  positiveWhole: { ru: 'ожидается целое число не меньше 1', en: 'a whole number of at least 1 expected' },
  // External events (src/daemon/event-feed.ts)
  eventsOff: {
    ru: 'Внешние события этого объекта выключены (ВнешниеСобытия = Ложь)',
    en: 'External events of this object are off (ExternalEvents = False)',
  },
  eventDepthRefused: {
    ru: 'Платформа не приняла глубину очереди внешних событий {0}',
    en: 'The platform refused the external event buffer depth {0}',
    library: true,
  },
  badHeader: {
    ru: 'Недопустимый заголовок «{0}»: имя из латинских букв, цифр и -, значение из печатных символов ASCII (кириллицу закодируйте, например, в Base64)',
    en: 'Invalid header "{0}": the name must be letters, digits and -, the value printable ASCII (encode other text, e.g. as Base64)',
  },
  badIdList: {
    ru: 'Список ИД «{0}»: ожидаются целые числа через запятую, например "1, 2, 5"',
    en: 'ID list "{0}": whole numbers separated by commas expected, for example "1, 2, 5"',
  },

  // Server
  serverAlreadyRunning: {
    ru: 'Сервер уже запущен на {0}:{1}. Сначала вызовите Остановить()',
    en: 'The server is already running on {0}:{1}. Call Stop() first',
  },
  serverNotRunning: {
    ru: 'Сервер не запущен: сначала вызовите Запустить()',
    en: 'The server is not running: call Run() first',
  },
  portOutOfRange: {
    ru: 'Порт должен быть целым числом от 0 до 65535 (0 — любой свободный), передано {0}',
    en: 'Port must be a whole number from 0 to 65535 (0 picks a free one), got {0}',
  },
  badInterface: {
    ru: 'Неверный интерфейс для прослушивания «{0}»: ожидается IP-адрес (например, 127.0.0.1 или 0.0.0.0)',
    en: 'Invalid interface to listen on "{0}": expected an IP address (for example 127.0.0.1 or 0.0.0.0)',
  },
  portBusy: {
    ru: 'Порт {1} на интерфейсе {0} уже занят другой программой',
    en: 'Port {1} on interface {0} is already in use by another program',
  },
  clusterUnavailable: {
    ru: 'Кластер недоступен: Redis {0} не отвечает ({1}). Соединения этого сервера продолжают работать; соединения других узлов, новые подключения и общий поток сообщений вернутся, когда Redis снова будет доступен',
    en: 'The cluster is unavailable: Redis {0} does not answer ({1}). This server\'s own connections keep working; other nodes\' connections, new connections and the shared message stream come back once Redis is reachable again',
  },
  clusterBadUrl: {
    ru: 'Свойство КластерRedis: ожидается адрес вида redis://хост:порт (или rediss://, redis://пользователь:пароль@хост:порт/база), передано {0}',
    en: 'Property ClusterRedis: expected an address like redis://host:port (or rediss://, redis://user:password@host:port/db), got {0}',
  },
  clusterNeedsService: {
    ru: 'Задано свойство КластерRedis, но не задано ИмяСервиса: серверы с одним Redis и одним именем сервиса работают как один сервис',
    en: 'ClusterRedis is set but ServiceName is not: the servers with the same Redis and service name act as one service',
  },
  portParkedByOtherOwner: {
    ru: 'Порт {1} на интерфейсе {0} занят сервером другого владельца: его объект уничтожен без Остановить(), и сервер ждёт свой следующий Запустить() с тем же значением свойства Владелец. Этот сервер не тронут; если владелец его не заберёт, порт освободится не позже чем через {2} с',
    en: 'Port {1} on interface {0} is held by a server of another owner: its object went away without Stop(), and the server waits for its next Run() with the same Owner property. That server is left untouched; unless its owner takes it back, the port is free within {2} s',
  },
  portParkedOnOtherInterface: {
    ru: 'Порт {1} занят сервером этого же владельца, который ждёт следующий Запустить() на интерфейсе {0}: укажите в Запустить() тот же интерфейс',
    en: 'Port {1} is held by a server of the same owner that waits for its next Run() on interface {0}: give Run() the same interface',
  },
  addressNotAvailable: {
    ru: 'Интерфейс {0} отсутствует на этом компьютере',
    en: 'Interface {0} does not exist on this computer',
  },
  listenDenied: {
    ru: 'Нет прав на прослушивание порта {1} на {0} (порты ниже 1024 требуют привилегий)',
    en: 'Permission denied listening on {0}:{1} (ports below 1024 need privileges)',
  },
  listenFailed: {
    ru: 'Не удалось начать прослушивание {0}:{1}: {2}',
    en: 'Could not listen on {0}:{1}: {2}',
  },
  certNotFound: {
    ru: 'Файл сертификата «{0}» не найден',
    en: 'Certificate file "{0}" not found',
  },
  certUnreadable: {
    ru: 'Не удалось прочитать файл «{0}»: {1}',
    en: 'Could not read file "{0}": {1}',
  },
  certNoCertificate: {
    ru: 'В файлах {0} нет сертификата (-----BEGIN CERTIFICATE-----)',
    en: 'No certificate (-----BEGIN CERTIFICATE-----) in {0}',
  },
  certNoKey: {
    ru: 'В файлах {0} нет закрытого ключа (-----BEGIN … PRIVATE KEY-----)',
    en: 'No private key (-----BEGIN … PRIVATE KEY-----) in {0}',
  },
  certBadPassword: {
    ru: 'Закрытый ключ зашифрован, а пароль не подходит или не указан',
    en: 'The private key is encrypted and the password is wrong or missing',
  },
  certKeyMismatch: {
    ru: 'Закрытый ключ не соответствует сертификату',
    en: 'The private key does not match the certificate',
  },
  certInvalid: {
    ru: 'Неверный сертификат или ключ: {0}',
    en: 'Invalid certificate or key: {0}',
  },

  // Engine process (said by the native library)
  engineNodeNotFound: {
    ru: 'Не найден Node.js 18 или новее, нужный компоненте WebSocket. Установите пакет nodejs (apt install nodejs / dnf install nodejs) или укажите путь к программе node в переменной окружения ONEC_WEBSOCKET_NODE',
    en: 'Node.js 18 or later, needed by the WebSocket add-in, was not found. Install the nodejs package (apt install nodejs / dnf install nodejs) or set ONEC_WEBSOCKET_NODE to the path of the node program',
    library: true,
  },
  engineNodeNotFoundWindows: {
    ru: 'Не найден Node.js 18 или новее, нужный компоненте WebSocket. Установите Node.js (установщик с nodejs.org или winget install OpenJS.NodeJS.LTS) или укажите путь к node.exe в переменной окружения ONEC_WEBSOCKET_NODE',
    en: 'Node.js 18 or later, needed by the WebSocket add-in, was not found. Install Node.js (the installer from nodejs.org or winget install OpenJS.NodeJS.LTS) or set ONEC_WEBSOCKET_NODE to the path of node.exe',
    library: true,
  },
  engineNodeConfiguredMissing: {
    ru: 'Переменная окружения ONEC_WEBSOCKET_NODE указывает на «{0}», но там нет исполняемой программы node. Исправьте путь или удалите переменную, чтобы node искался в PATH',
    en: 'ONEC_WEBSOCKET_NODE points to "{0}", but there is no executable node program there. Fix the path or remove the variable to look for node on PATH',
    library: true,
  },
  engineNodeTooOld: {
    ru: 'Программа node «{0}» — версии {1}, а компоненте WebSocket нужен Node.js 18 или новее. Обновите Node.js или укажите в переменной окружения ONEC_WEBSOCKET_NODE путь к более новой программе node',
    en: 'The node program "{0}" is version {1}, but the WebSocket add-in needs Node.js 18 or later. Update Node.js or set ONEC_WEBSOCKET_NODE to the path of a newer node program',
    library: true,
  },
  engineRuntimeNoFolder: {
    ru: 'Некуда распаковать встроенный Node.js компоненты WebSocket: нужна своя папка, в которой можно запускать программы. Проверены: {0}. Укажите такую папку в переменной окружения ONEC_WEBSOCKET_DIR',
    en: 'Nowhere to extract the WebSocket add-in\'s embedded Node.js: it needs a folder of our own where programs may run. Tried: {0}. Set ONEC_WEBSOCKET_DIR to such a folder',
    library: true,
  },
  engineRuntimeDamaged: {
    ru: 'Встроенный в компоненту WebSocket Node.js повреждён ({0}). Установите компоненту заново',
    en: 'The Node.js embedded in the WebSocket add-in is damaged ({0}). Install the add-in again',
    library: true,
  },
  engineStartFailed: {
    ru: 'Не удалось запустить движок компоненты WebSocket: {0}',
    en: 'Could not start the WebSocket add-in engine: {0}',
    library: true,
  },
  engineLost: {
    ru: 'Процесс движка компоненты WebSocket завершился; соединения этого объекта потеряны. Вызовите Подключиться() или Запустить() снова',
    en: 'The WebSocket add-in engine process ended; this object\'s connections are lost. Call Connect() or Run() again',
    library: true,
  },
  engineUnsafeDir: {
    ru: 'Каталог движка «{0}» небезопасен: {1}',
    en: 'Engine directory "{0}" is unsafe: {1}',
    library: true,
  },
  engineProtocol: {
    ru: 'Ошибка обмена с движком компоненты WebSocket: {0}',
    en: 'Protocol error talking to the WebSocket add-in engine: {0}',
    library: true,
  },
  internalError: {
    ru: 'Внутренняя ошибка компоненты WebSocket: {0}',
    en: 'Internal error of the WebSocket add-in: {0}',
    library: true,
  },
} as const satisfies Record<string, Text>;

export type MessageKey = keyof typeof MESSAGES;

export function format(lang: Lang, key: MessageKey, args: readonly unknown[] = []): string {
  const template: string = MESSAGES[key][lang];
  return template.replace(/\{(\d+)\}/g, (whole, index: string) => {
    const value = args[Number(index)];
    return value === undefined ? whole : String(value);
  });
}

/** Picks the language from a 1C locale or language code: `ru`, `rus_RUS`, `ru_RU`, `en`, `eng`… */
export function langFromLocale(locale: string): Lang {
  return /^\s*en/i.test(locale) ? 'en' : 'ru';
}
