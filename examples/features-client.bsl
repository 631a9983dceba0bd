// Модуль: общий модуль ПримерыWebSocket (флажки «Сервер», «Вызов сервера»)
// Выполняется: на сервере, по вызову из формы (Сообщить показывает текст в этой форме)
// Module: a common module (flags Server, Server call). Runs: on the server, called from a form.
//
// Возможности клиента сверх исходной компоненты (docs/features.md).
// Client features beyond the original add-in. English names are given in comments.
//
// Для проверки запустите эхо-сервер: npx onec-websocket echo --port 9098
// To try it, run an echo server: npx onec-websocket echo --port 9098

Процедура ВозможностиКлиента() Экспорт

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

	Клиент = Новый("AddIn.WebSocket.Client");

	// Настройки задаются до Подключиться() / Settings are set before Connect().
	Клиент.УстановитьЗаголовок("Authorization", "Bearer " + "токен-ascii-only"); // SetHeader(Name, Value)
	Клиент.Подпротоколы = "chat, superchat";       // Subprotocols
	Клиент.ТаймаутПодключения = 5000;              // ConnectTimeout, мс
	Клиент.ИнтервалПинга = 10000;                  // PingInterval, мс
	Клиент.ТаймаутПинга = 5000;                    // PingTimeout: молчащий сервер → Статус = -1
	Клиент.Сжатие = Истина;                        // Compression (permessage-deflate)
	Клиент.Автопереподключение = Истина;           // AutoReconnect
	// Клиент.Прокси = "http://proxy.local:3128";  // Proxy, или "env" — HTTP_PROXY/HTTPS_PROXY
	// Клиент.ФайлЦС = "/etc/ssl/my-ca.pem";       // CAFile
	// Клиент.СертификатКлиента = "/etc/ssl/client.pem"; // ClientCertificate (взаимный TLS)
	// Клиент.КлючКлиента = "/etc/ssl/client.key";       // ClientKey
	// Клиент.ПарольКлючаКлиента = "пароль";             // ClientKeyPassword (только запись)
	// Клиент.НеПроверятьСертификатСервера_ОПАСНО = Истина; // InsecureSkipVerify_DANGER: только для стендов!

	Попытка
		Клиент.Подключиться("ws://127.0.0.1:9098/features");   // Connect
	Исключение
		ВызватьИсключение ОписаниеОшибки() + ": " + Клиент.ОписаниеОшибки(); // ErrorDescription
	КонецПопытки;

	Сообщить("Подпротокол: " + Клиент.Подпротокол); // Protocol

	// Текст и двоичные данные / Text and binary messages
	Клиент.Отправить("Привет");                                   // Send
	Клиент.Отправить(ПолучитьДвоичныеДанныеИзСтроки("байты"));     // Send(BinaryData) → двоичный кадр

	Данные = "";
	Пока Клиент.Принять(2000, Данные) Цикл                        // Receive
		Если Клиент.ДвоичноеСообщение Тогда                        // IsBinary
			Сообщить("Двоичные данные, байт: " + Данные.Размер());
		Иначе
			Сообщить("Текст: " + Данные);
		КонецЕсли;
	КонецЦикла;

	Если Клиент.Переподключение Тогда                              // Reconnecting
		Сообщить("Соединение восстанавливается, сообщения сохраняются");
	КонецЕсли;

	Клиент.Отключиться();                                          // Disconnect
	Сообщить("Код закрытия: " + Клиент.КодЗакрытия + " " + Клиент.ПричинаЗакрытия); // CloseCode, CloseReason

КонецПроцедуры
