// Модуль: общий модуль БотSlack (флажок «Сервер»)
// Выполняется: на сервере, в фоновом задании — бот работает, пока его не отпустят, поэтому запускайте его
//   ФоновыеЗадания.Выполнить("БотSlack.ЗапуститьБотаSlack", Параметры, "БотSlack") и присматривайте за ним
//   регламентным заданием, как в background-job-server.bsl. Журнал — журнал регистрации, событие "WebSocket.БотSlack".
// Module: a common module (flag Server). Runs: on the server, in a background job (BackgroundJobs.Execute),
// watched by a scheduled job as in background-job-server.bsl; it logs to the event log.
//
// Бот Slack на компоненте WebSocket (раздел 6.1 документации), переписанный на Socket Mode.
// A Slack bot on the WebSocket add-in (section 6.1 of the documentation), rewritten for Socket Mode.
//
// RTM API (rtm.connect), который использует документ, закрыт для новых приложений Slack. Его преемник —
// Socket Mode: / The document's RTM API (rtm.connect) is closed to new Slack apps. Its successor is
// Socket Mode:
//  1. POST https://slack.com/api/apps.connections.open с токеном уровня приложения (xapp-…, право
//     connections:write) возвращает адрес wss://… / with an app-level token (xapp-…, scope
//     connections:write) returns a wss://… address;
//  2. по этому адресу приходят «конверты» (envelopes): hello, events_api (события, например сообщения),
//     disconnect (Slack просит переподключиться / Slack asks us to reconnect);
//  3. каждый конверт с envelope_id нужно подтвердить, отправив {"envelope_id": "…"} в тот же сокет,
//     не позже чем через 3 секунды — иначе Slack пришлёт его снова / every envelope with an envelope_id
//     must be acknowledged by sending {"envelope_id": "…"} on the same socket within 3 seconds, or
//     Slack sends it again;
//  4. отвечать в чат через сокет нельзя: ответы отправляются Web API chat.postMessage с токеном бота
//     (xoxb-…, право chat:write) / the socket cannot post to the chat: answers go through the Web API
//     chat.postMessage with the bot token (xoxb-…, scope chat:write).
//
// Что настроить в Slack / What to configure in Slack: docs/slack-socket-mode.md.
// test/slack-bot.test.ts выполняет ту же последовательность вызовов через эмулятор 1С против
// локального поддельного Slack (test/support/fake-slack.ts). / test/slack-bot.test.ts runs the same
// call sequence through the 1C host emulator against a local fake Slack (test/support/fake-slack.ts).

// Запустить бота: он отвечает на каждое сообщение «Получил: <текст>» и уходит по слову «go away!».
// Run the bot: it answers every message with «Получил: <text>» ("Got: <text>") and leaves on «go away!».
//
// ТокенПриложения (AppToken) — xapp-…; ТокенБота (BotToken) — xoxb-…;
// АдресAPI, ПортAPI (ApiHost, ApiPort) — slack.com:443 (другие — только для проверки / others for testing only).
Процедура ЗапуститьБотаSlack(ТокенПриложения, ТокенБота, АдресAPI = "slack.com", ПортAPI = 443) Экспорт // RunSlackBot

	КлючевоеСлово = "go away!"; // Keyword — как в документе / as in the document
	ТаймаутОжидания = 10000;    // WaitTimeout, мс: сколько ждать конверт за один вызов Принять / ms per Receive call

	ПутьККомпоненте = "ОбщийМакет.WebSocket"; // ComponentPath
	Попытка
		Подключена = ПодключитьВнешнююКомпоненту(ПутьККомпоненте, "WebSocket", ТипВнешнейКомпоненты.Native); // AttachAddIn
	Исключение
		ВызватьИсключение "Компонента WebSocket не подключена: " + ПодробноеПредставлениеОшибки(ИнформацияОбОшибке());
	КонецПопытки;
	Если НЕ Подключена Тогда
		// Ложь причину не называет; ОписаниеОшибки() здесь пусто — исключения не было.
		// False gives no reason; ErrorDescription() is empty here — there was no exception.
		ВызватьИсключение "Компонента WebSocket не подключена: в макете " + ПутьККомпоненте + " нет библиотеки для этого сервера";
	КонецЕсли;

	Клиент = Новый("AddIn.WebSocket.Client"); // Client

	Работать = Истина;          // KeepRunning
	ПодключенийПодряд = 0;      // ConnectsInARow — подключения без единого события / connections without a single event

	Пока Работать Цикл

		ПодключенийПодряд = ПодключенийПодряд + 1;
		Если ПодключенийПодряд > 5 Тогда
			ВызватьИсключение "Slack закрывает соединения одно за другим; бот остановлен";
		КонецЕсли;

		// 1. Адрес сокета: каждый адрес одноразовый, поэтому запрашиваем его перед каждым подключением.
		//    The socket address: each one is single-use, so ask for a new one before every connection.
		АдресСокета = ОткрытьСоединениеSocketMode(ТокенПриложения, АдресAPI, ПортAPI); // SocketUrl

		Попытка
			Клиент.Подключиться(АдресСокета); // Client.Connect(ServerAddress)
		Исключение
			ВызватьИсключение ОписаниеОшибки() + ": " + Клиент.ОписаниеОшибки(); // Client.ErrorDescription()
		КонецПопытки;

		// 2. Конверты / Envelopes
		Пока Истина Цикл

			Данные = ""; // Data
			// Client.Receive(Timeout, Data): Истина — пришёл конверт / True — an envelope arrived
			Если НЕ Клиент.Принять(ТаймаутОжидания, Данные) Тогда
				Если Клиент.Статус = 1 Тогда // Client.Status: 1 — подключено / connected
					Продолжить;              // просто тишина в чате / just a quiet chat
				КонецЕсли;
				Прервать; // соединение закрылось — подключимся заново / the connection ended — reconnect
			КонецЕсли;

			Конверт = ПрочитатьЗначениеJSON(Данные); // Envelope (Соответствие / Map)
			Тип = Конверт.Получить("type");          // Type

			// 3. Подтверждение — сразу, до обработки / Acknowledge at once, before handling it.
			ИДКонверта = Конверт.Получить("envelope_id"); // EnvelopeId
			Если ЗначениеЗаполнено(ИДКонверта) Тогда
				Клиент.Отправить(ЗаписатьЗначениеJSON(Новый Структура("envelope_id", ИДКонверта))); // Client.Send
			КонецЕсли;

			Если Тип = "hello" Тогда
				ЗаписатьВЖурнал("Бот подключился к Slack"); // WriteToLog("Connected to Slack")

			ИначеЕсли Тип = "disconnect" Тогда
				// Slack просит перейти на новое соединение (refresh_requested, warning) или выключил
				// Socket Mode (link_disabled) / Slack asks us to move to a new connection, or Socket Mode was
				// turned off for the app.
				Если Конверт.Получить("reason") = "link_disabled" Тогда
					ЗаписатьВЖурнал("Socket Mode выключен в настройках приложения Slack");
					Работать = Ложь;
				КонецЕсли;
				Прервать;

			ИначеЕсли Тип = "events_api" Тогда
				ПодключенийПодряд = 0;
				Событие = Конверт.Получить("payload").Получить("event"); // Event

				// Только новые сообщения людей: у сообщений ботов (в том числе наших ответов) есть bot_id,
				// у правок и удалений — subtype. / Only new messages from people: bots' messages (our own
				// answers too) carry bot_id, edits and deletions carry a subtype.
				Если НЕ Событие.Получить("type") = "message"
					ИЛИ НЕ Событие.Получить("bot_id") = Неопределено
					ИЛИ НЕ Событие.Получить("subtype") = Неопределено Тогда
					Продолжить;
				КонецЕсли;

				Текст = Событие.Получить("text");    // Text
				Канал = Событие.Получить("channel"); // Channel

				Если НРег(СокрЛП(Текст)) = НРег(КлючевоеСлово) Тогда // Lower(TrimAll(Text))
					ОтправитьСообщениеВSlack(ТокенБота, Канал, "ok. bye-bye )))", АдресAPI, ПортAPI);
					ЗаписатьВЖурнал("Меня отключили"); // "I was sent away"
					Работать = Ложь;
					Прервать;
				КонецЕсли;

				ЗаписатьВЖурнал(Текст);
				ОтправитьСообщениеВSlack(ТокенБота, Канал, "Получил: " + Текст, АдресAPI, ПортAPI);

			КонецЕсли;

		КонецЦикла;

		Клиент.Отключиться(); // Client.Disconnect() — и при уходе, и перед переподключением / before reconnecting too

	КонецЦикла;

	Клиент = Неопределено;

КонецПроцедуры

// POST /api/apps.connections.open с токеном приложения: адрес wss:// для Клиент.Подключиться.
// POST /api/apps.connections.open with the app-level token: the wss:// address for Client.Connect.
Функция ОткрытьСоединениеSocketMode(ТокенПриложения, АдресAPI, ПортAPI) // OpenSocketModeConnection

	Заголовки = Новый Соответствие; // Headers (Map)
	Заголовки.Вставить("Authorization", "Bearer " + ТокенПриложения);
	Заголовки.Вставить("Content-Type", "application/x-www-form-urlencoded");

	Запрос = Новый HTTPЗапрос("/api/apps.connections.open", Заголовки); // HTTPRequest
	Ответ = СоединениеСAPI(АдресAPI, ПортAPI).ОтправитьДляОбработки(Запрос); // Post

	Результат = ОтветAPI(Ответ, "apps.connections.open"); // Result
	Возврат Результат.Получить("url");

КонецФункции

// POST /api/chat.postMessage с токеном бота / with the bot token.
Процедура ОтправитьСообщениеВSlack(ТокенБота, Канал, Текст, АдресAPI, ПортAPI) // PostToSlack

	Заголовки = Новый Соответствие;
	Заголовки.Вставить("Authorization", "Bearer " + ТокенБота);
	Заголовки.Вставить("Content-Type", "application/json; charset=utf-8");

	Запрос = Новый HTTPЗапрос("/api/chat.postMessage", Заголовки);
	Запрос.УстановитьТелоИзСтроки(ЗаписатьЗначениеJSON(Новый Структура("channel, text", Канал, Текст)),
		КодировкаТекста.UTF8, ИспользованиеByteOrderMark.НеИспользовать); // SetBodyFromString, no BOM

	ОтветAPI(СоединениеСAPI(АдресAPI, ПортAPI).ОтправитьДляОбработки(Запрос), "chat.postMessage");

КонецПроцедуры

Функция СоединениеСAPI(АдресAPI, ПортAPI) // ApiConnection

	// HTTPСоединение(Сервер, Порт, Пользователь, Пароль, Прокси, Таймаут, ЗащищенноеСоединение)
	// HTTPConnection(Host, Port, User, Password, Proxy, Timeout, SecureConnection)
	Если ПортAPI = 443 Тогда
		Возврат Новый HTTPСоединение(АдресAPI, ПортAPI, , , , 30, Новый ЗащищенноеСоединениеOpenSSL);
	КонецЕсли;
	Возврат Новый HTTPСоединение(АдресAPI, ПортAPI, , , , 30);

КонецФункции

// Slack отвечает кодом 200 и {"ok": false, "error": "…"} на ошибки в запросе — проверяем оба.
// Slack answers request errors with code 200 and {"ok": false, "error": "…"} — check both.
Функция ОтветAPI(Ответ, Метод) // ApiAnswer(Response, Method)

	Если НЕ Ответ.КодСостояния = 200 Тогда // StatusCode
		ВызватьИсключение "Slack " + Метод + ": HTTP " + Ответ.КодСостояния;
	КонецЕсли;

	Результат = ПрочитатьЗначениеJSON(Ответ.ПолучитьТелоКакСтроку()); // GetBodyAsString
	Если НЕ Результат.Получить("ok") = Истина Тогда
		ВызватьИсключение "Slack " + Метод + ": " + Результат.Получить("error");
	КонецЕсли;

	Возврат Результат;

КонецФункции

// JSON → Соответствие / Map (как ПолучитьЗначениеИзОтветаJSON в документе / as in the document).
Функция ПрочитатьЗначениеJSON(ТекстJSON) // ReadJSONValue

	ЧтениеJSON = Новый ЧтениеJSON; // JSONReader
	ЧтениеJSON.УстановитьСтроку(ТекстJSON);
	Значение = ПрочитатьJSON(ЧтениеJSON, Истина); // ReadJSON(Reader, ReadToMap = True)
	ЧтениеJSON.Закрыть();
	Возврат Значение;

КонецФункции

// Значение → JSON одной строкой / Value → JSON on one line (ПолучитьСтрокуJSON в документе / in the document).
Функция ЗаписатьЗначениеJSON(Значение) // WriteJSONValue

	ЗаписьJSON = Новый ЗаписьJSON; // JSONWriter
	ЗаписьJSON.УстановитьСтроку(Новый ПараметрыЗаписиJSON(ПереносСтрокJSON.Нет)); // no line breaks
	ЗаписатьJSON(ЗаписьJSON, Значение);
	Возврат ЗаписьJSON.Закрыть();

КонецФункции

// Фоновое задание пишет в журнал регистрации: Сообщить в нём никто не увидит.
// A background job logs to the event log: nobody would see Message() there.
Процедура ЗаписатьВЖурнал(Текст) // WriteToLog(Text)

	ЗаписьЖурналаРегистрации("WebSocket.БотSlack", УровеньЖурналаРегистрации.Информация, , , Текст); // WriteLogEvent

КонецПроцедуры
