// Модуль: модуль управляемой формы (например, формы обработки «Чат WebSocket»)
// Выполняется: на клиенте — тонкий и толстый клиент (не веб-клиент: компоненте нужен Node.js на компьютере
//   пользователя; как доставить сообщения в веб-клиент — server-to-users-form.bsl)
// Module: a managed form module. Runs: on the client — thin and thick client (not the web client).
//
// Клиент WebSocket без опроса. Компонента сама сообщает форме о каждом пришедшем сообщении, подключении,
// закрытии и ошибке внешним событием — срабатывает обработчик формы ВнешнееСобытие(Источник, Событие, Данные).
// Обработчика ожидания нет. / A WebSocket client without polling: the add-in tells the form about every
// message, connection, close and error with an external event (ExternalEvent). There is no idle handler.
//
// Подключение компоненты асинхронное, как в типовых конфигурациях на БСП: НачатьПодключениеВнешнейКомпоненты,
// при неудаче НачатьУстановкуВнешнейКомпоненты (платформа спросит пользователя и установит компоненту из
// макета) и подключение ещё раз. Само подключение работает на любой 8.3 и при запрете модальности.
// Вариант с Асинх/Ждать (8.3.18+) — в receive-form.bsl.
// The add-in is attached asynchronously, as typical configurations on SSL do: BeginAttachingAddIn, on
// failure BeginInstallAddIn, then attach again. The attaching works on any 8.3, with modality forbidden too.
//
// Методы компоненты здесь вызываются синхронно: свойство конфигурации «Режим использования синхронных
// вызовов расширений платформы и внешних компонент» должно их разрешать («Использовать» или «Использовать
// с предупреждением»). / The add-in's methods are called synchronously here: the configuration property
// "Synchronous calls to platform extensions and add-ins" must allow them.
//
// События (Событие) — постоянные имена на любом языке интерфейса / Event names, the same in any language:
//   "message" — текстовое сообщение, Данные = текст / a text message, Data = the text;
//   "binary"  — двоичное сообщение, Данные = Base64 / a binary message, Data = Base64;
//   "open"    — подключено, Данные = адрес сервера / connected, Data = the server address;
//   "close"   — соединение закрыто, Данные = JSON {"code", "reason", "clean", "reconnecting"};
//   "error"   — соединение оборвалось (Статус = -1), Данные = текст ошибки / the connection broke, Data = the error text.
//
// Ничего не теряется: очередь внешних событий платформы ограничена (ГлубинаОчередиСобытий); если она
// полна, сообщение остаётся для Принять, и компонента предложит его форме снова через 10–100 мс. Каждое
// сообщение приходит ровно один раз — событием или из Принять — и по порядку.
// Nothing is lost: the platform's external event queue is bounded (EventBufferDepth); when it is full
// the message stays for Receive, and the add-in offers it to the form again 10–100 ms later. Every
// message arrives exactly once — as an event or from Receive — and in order.
//
// На форме / On the form:
//   реквизит АдресСервера (Строка) / attribute ServerAddress (String), например ws://127.0.0.1:9098/chat;
//   реквизит Журнал (Строка, многострочное поле) / attribute Log (String, multi-line field);
//   реквизит ТекстСообщения (Строка) / attribute MessageText (String);
//   команды Подключиться, Отправить, Отключиться / commands Connect, Send, Disconnect.
// Внешние события работают только на клиенте (тонкий, толстый); на сервере 1С используйте Принять.
// External events work on a client only (thin, thick); in 1C server code use Receive.

&НаКлиенте
Перем Клиент; // Client — объект компоненты живёт в переменной модуля / the add-in object lives in a module variable

&НаКлиенте
Процедура ПриОткрытии(Отказ) // OnOpen(Cancel)

	// BeginAttachingAddIn(NotifyDescription, Location, Name, Type): ответ придёт в ПослеПодключенияКомпоненты
	НачатьПодключениеВнешнейКомпоненты(
		Новый ОписаниеОповещения("ПослеПодключенияКомпоненты", ЭтотОбъект, Истина), // ДополнительныеПараметры: можно ли устанавливать
		"ОбщийМакет.WebSocket", "WebSocket", ТипВнешнейКомпоненты.Native);

КонецПроцедуры

// Подключено (Attached) — Булево; МожноУстановить — ДополнительныеПараметры (AdditionalParameters).
&НаКлиенте
Процедура ПослеПодключенияКомпоненты(Подключено, МожноУстановить) Экспорт

	Если Подключено Тогда
		СоздатьКлиента();
	ИначеЕсли МожноУстановить Тогда
		// Компонента ещё не установлена на этом компьютере: платформа спросит пользователя и установит её
		// из макета. BeginInstallAddIn(NotifyDescription, Location).
		НачатьУстановкуВнешнейКомпоненты(
			Новый ОписаниеОповещения("ПослеУстановкиКомпоненты", ЭтотОбъект), "ОбщийМакет.WebSocket");
	Иначе
		// Ложь не объясняет причину, а ОписаниеОшибки() здесь пусто: исключения не было.
		// False carries no reason, and ErrorDescription() is empty here: there was no exception.
		ПоказатьПредупреждение(, "Компонента WebSocket не подключена: в макете ОбщийМакет.WebSocket нет библиотеки
			|для этой платформы, или пользователь отказался от установки."); // ShowMessageBox
	КонецЕсли;

КонецПроцедуры

&НаКлиенте
Процедура ПослеУстановкиКомпоненты(ДополнительныеПараметры) Экспорт

	// Подключаем ещё раз, без повторной установки / Attach again, without installing again.
	НачатьПодключениеВнешнейКомпоненты(
		Новый ОписаниеОповещения("ПослеПодключенияКомпоненты", ЭтотОбъект, Ложь),
		"ОбщийМакет.WebSocket", "WebSocket", ТипВнешнейКомпоненты.Native);

КонецПроцедуры

&НаКлиенте
Процедура СоздатьКлиента() // CreateClient

	Клиент = Новый("AddIn.WebSocket.Client"); // Client = New("AddIn.WebSocket.Client")
	Клиент.ТаймаутПодключения = 5000;      // ConnectTimeout, мс: столько самое большее ждёт Подключиться
	Клиент.ИсточникСобытий = "Чат";      // Client.EventSource — что придёт в Источник / what arrives as Source
	Клиент.ГлубинаОчередиСобытий = 100;  // Client.EventBufferDepth — очередь событий платформы / the platform's event queue
	Клиент.ВнешниеСобытия = Истина;      // Client.ExternalEvents — включить события / switch the events on
	Клиент.Автопереподключение = Истина; // Client.AutoReconnect — после обрыва: "error", "close", затем снова "open"
	                                     // after a break: "error", "close", then "open" again

КонецПроцедуры

// Обработчик события формы «ВнешнееСобытие» (в палитре свойств формы, раздел «События»).
// The form's "ExternalEvent" handler (form properties, "Events").
&НаКлиенте
Процедура ВнешнееСобытие(Источник, Событие, Данные) // ExternalEvent(Source, Event, Data)

	Если Источник <> "Чат" Тогда
		Возврат; // событие другой компоненты / another add-in's event
	КонецЕсли;

	Если Событие = "message" Тогда
		ДобавитьВЖурнал("< " + Данные);

	ИначеЕсли Событие = "binary" Тогда
		Байты = Base64Значение(Данные); // Base64Value → ДвоичныеДанные / BinaryData
		ДобавитьВЖурнал("< двоичные данные, " + Байты.Размер() + " байт"); // Size()

	ИначеЕсли Событие = "open" Тогда
		ДобавитьВЖурнал("Подключено к " + Данные);

	ИначеЕсли Событие = "close" Тогда
		Закрытие = ИзJSON(Данные); // {"code": 1000, "reason": "", "clean": true, "reconnecting": false}
		Если Закрытие.reconnecting Тогда
			ДобавитьВЖурнал("Связь потеряна (" + Закрытие.code + "), переподключение…");
		Иначе
			ДобавитьВЖурнал("Соединение закрыто: " + Закрытие.code + " " + Закрытие.reason);
		КонецЕсли;

	ИначеЕсли Событие = "error" Тогда
		ДобавитьВЖурнал("Ошибка: " + Данные);

	КонецЕсли;

КонецПроцедуры

&НаКлиенте
Процедура Подключиться(Команда) // Connect(Command)

	Если Клиент = Неопределено Тогда
		ДобавитьВЖурнал("Компонента ещё не подключена");
		Возврат;
	КонецЕсли;
	// Подключиться блокирует интерфейс, пока соединение не установится или не откажет: не дольше
	// ТаймаутПодключения (здесь 5 с, см. создание объекта; по умолчанию 30 с). Connect blocks the UI until
	// the connection is open or has failed: ConnectTimeout at most (5 s here; 30 s by default).
	Попытка
		Клиент.Подключиться(АдресСервера); // Client.Connect(ServerAddress); "open" придёт событием / arrives as an event
	Исключение
		ДобавитьВЖурнал("Ошибка подключения: " + Клиент.ОписаниеОшибки()); // Client.ErrorDescription()
	КонецПопытки;

КонецПроцедуры

&НаКлиенте
Процедура Отправить(Команда) // Send(Command)

	Если Клиент = Неопределено Тогда
		Возврат;
	КонецЕсли;
	Попытка
		Клиент.Отправить(ТекстСообщения); // Client.Send(MessageBody); ответ придёт событием "message"
		ДобавитьВЖурнал("> " + ТекстСообщения);      // the answer arrives as a "message" event
	Исключение
		ДобавитьВЖурнал("Не отправлено: " + Клиент.ОписаниеОшибки());
	КонецПопытки;

КонецПроцедуры

&НаКлиенте
Процедура Отключиться(Команда) // Disconnect(Command)

	Если Клиент = Неопределено Тогда
		Возврат;
	КонецЕсли;
	Клиент.Отключиться(); // Client.Disconnect(); событие "close" / the "close" event follows

КонецПроцедуры

&НаКлиенте
Процедура ПриЗакрытии(ЗавершениеРаботы) // OnClose(Exit)

	Если НЕ Клиент = Неопределено Тогда
		Клиент.ВнешниеСобытия = Ложь; // больше никаких событий этой форме / no more events to this form
		Клиент.Отключиться();
		Клиент = Неопределено;        // объект освобождается, его поток остановлен / the object and its thread are gone
	КонецЕсли;

КонецПроцедуры

// JSON из Данные в Структуру / JSON from Data into a Structure.
&НаКлиенте
Функция ИзJSON(Текст) // FromJSON(Text)

	Чтение = Новый ЧтениеJSON; // JSONReader
	Чтение.УстановитьСтроку(Текст); // SetString
	Результат = ПрочитатьJSON(Чтение); // ReadJSON → Структура / Structure
	Чтение.Закрыть(); // Close
	Возврат Результат;

КонецФункции

&НаКлиенте
Процедура ДобавитьВЖурнал(Строка) // AppendToLog(Line)

	Журнал = Журнал + Формат(ТекущаяДата(), "ДФ=ЧЧ:мм:сс") + " " + Строка + Символы.ПС; // CurrentDate, Chars.LF

КонецПроцедуры
