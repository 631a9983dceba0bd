// Модуль: общий модуль ПримерыWebSocket (флажки «Сервер», «Вызов сервера»)
// Выполняется: на сервере, по вызову из формы (ждёт страницу до 10 с)
// Module: a common module (flags Server, Server call). Runs: on the server, called from a form.
//
// Серверная сторона примера 6.2: 1С слушает порт, веб-страница (index.html в этой папке) подключается,
// присылает "WebSocket rocks", 1С отвечает ей по идентификатору клиента.
// The 1C side of example 6.2: 1C listens on a port, the web page (index.html in this folder) connects,
// sends "WebSocket rocks", and 1C answers it by the client's id.
//
// Страницу можно открыть в браузере или в ПолеHTMLДокумента формы; отдать её может любой веб-сервер.
// The page can be opened in a browser or in a form's HTML document field; any web server can serve it.
// test/web-client.test.ts выполняет эту процедуру через эмулятор 1С и открывает страницу в Chromium,
// по ws и по wss. / test/web-client.test.ts runs this procedure through the 1C host emulator and opens
// the page in Chromium, over ws and over wss.

// Порт = Port; ФайлСертификата, ФайлКлюча = CertificateFile, KeyFile (пустые — без TLS / empty — no TLS).
// Для wss страница открывается как index.html?url=wss://localhost:9098 (сертификат на имя localhost).
// For wss open the page as index.html?url=wss://localhost:9098 (a certificate issued for localhost).
Процедура ОтвечатьВебСтранице(Порт = 9098, ФайлСертификата = "", ФайлКлюча = "") Экспорт // AnswerWebPage

	// AttachAddIn: на сервере — перед каждым созданием объекта, ведь вызов может попасть в другой рабочий
	// процесс (ИТС). Ложь причину не называет, а ОписаниеОшибки() вне Исключение пусто: поясняем сами.
	// On the server attach before every New: the call may run in another worker process. False gives no
	// reason and ErrorDescription() outside Except is empty, so say what to check.
	Попытка
		Подключена = ПодключитьВнешнююКомпоненту("ОбщийМакет.WebSocket", "WebSocket", ТипВнешнейКомпоненты.Native);
	Исключение
		ВызватьИсключение "Компонента WebSocket не подключена: " + ПодробноеПредставлениеОшибки(ИнформацияОбОшибке());
	КонецПопытки;
	Если НЕ Подключена Тогда
		СисИнфо = Новый СистемнаяИнформация; // SystemInfo
		ВызватьИсключение "Компонента WebSocket не подключена: в макете ОбщийМакет.WebSocket нет библиотеки для этого сервера ("
			+ СисИнфо.ТипПлатформы + ")"; // PlatformType
	КонецЕсли;

	Сервер = Новый("AddIn.WebSocket.Server"); // Server

	Попытка
		Если ЗначениеЗаполнено(ФайлСертификата) Тогда
			// wss: Запустить(Интерфейс, Порт, Сертификат, Ключ) / Run(Interface, Port, Certificate, Key)
			Сервер.Запустить("127.0.0.1", Порт, ФайлСертификата, ФайлКлюча);
		Иначе
			Сервер.Запустить("127.0.0.1", Порт); // Run(Interface, Port)
		КонецЕсли;
	Исключение
		ВызватьИсключение ОписаниеОшибки() + ": " + Сервер.ОписаниеОшибки(); // Server.ErrorDescription()
	КонецПопытки;

	Данные = "";    // Data — текст от страницы / the page's text
	ИДКлиента = 0;  // ClientID — номер соединения страницы / the page's connection id

	// Ждём сообщение страницы до 10 секунд / Wait up to 10 s for the page's message.
	// Server.Receive(Timeout, ClientID, Data)
	Если Сервер.Принять(10000, ИДКлиента, Данные) Тогда

		Сообщить("Клиент " + ИДКлиента + " прислал: " + Данные + " (" + Сервер.Соединения + ")");

		// Ответ уходит только этому клиенту / The answer goes to this client only: Server.Send(ClientID, MessageBody)
		Сервер.Отправить(ИДКлиента, "1С получил: " + Данные);

	Иначе
		Сообщить("Страница ничего не прислала за 10 секунд");
	КонецЕсли;

	// Получив ответ, страница сама закрывает соединение. Ждём этого до 5 секунд: Соединения (Connections)
	// становится пустой строкой. Принять с коротким таймаутом служит паузой.
	// Having the answer, the page closes the connection itself. Wait up to 5 s for that: Connections
	// becomes "". Receive with a short timeout serves as the pause.
	Для Шаг = 1 По 50 Цикл // For Step = 1 To 50
		Если Сервер.Соединения = "" Тогда
			Прервать; // Break
		КонецЕсли;
		ЕщёДанные = "";
		ЕщёИД = 0;
		Сервер.Принять(100, ЕщёИД, ЕщёДанные);
	КонецЦикла;

	Если НЕ Сервер.Соединения = "" Тогда
		Сообщить("Страница не закрыла соединение: " + Сервер.Соединения);
	КонецЕсли;

	Сервер.Остановить(); // Server.Stop()
	Сервер = Неопределено;

КонецПроцедуры
