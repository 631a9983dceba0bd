// Модуль управляемой формы, которая принимает сообщения WebSocket, пока открыта.
// A managed form module that receives WebSocket messages while it is open.
//
// Форма опрашивает очередь: обработчик ожидания раз в секунду забирает всё, что уже пришло, вызывая
// Принять с коротким таймаутом, и не держит интерфейс дольше нескольких миллисекунд. Без опроса, на
// внешних событиях (ВнешнееСобытие), — form-external-events.bsl.
// The form polls the queue: an idle handler takes everything that has arrived once a second, calling
// Receive with a short timeout, and never holds the UI for more than a few ms. Without polling, on
// external events (ExternalEvent): form-external-events.bsl.
//
// На форме / On the form:
//   реквизит АдресСервера (Строка) / attribute ServerAddress (String), например ws://127.0.0.1:9098/chat;
//   реквизит Журнал (Строка, многострочное поле) / attribute Log (String, multi-line field);
//   реквизит ТекстСообщения (Строка) / attribute MessageText (String);
//   команды Подключиться, Отправить / commands Connect, Send.
// Компоненту нужно заранее установить на клиенте (УстановитьВнешнююКомпоненту, раздел 1.2 документации).
// The add-in must be installed on the client beforehand (InstallAddIn, section 1.2 of the documentation).
// Вызовы здесь синхронные: свойство конфигурации «Режим использования синхронных вызовов расширений
// платформы и внешних компонент» должно их разрешать. / The calls here are synchronous: the configuration
// property "Synchronous calls to platform extensions and add-ins" must allow them.

&НаКлиенте
Перем Клиент; // Client — объект компоненты живёт в переменной модуля: в реквизит формы его не положить
              // the add-in object lives in a module variable: form attributes cannot hold it

&НаКлиенте
Процедура ПриОткрытии(Отказ) // OnOpen(Cancel)

	Если НЕ ПодключитьВнешнююКомпоненту("ОбщийМакет.WebSocket", "WebSocket", ТипВнешнейКомпоненты.Native) Тогда
		ПоказатьПредупреждение(, "Компонента WebSocket не подключена: " + ОписаниеОшибки()); // ShowMessageBox
		Отказ = Истина;
		Возврат;
	КонецЕсли;

	Клиент = Новый("AddIn.WebSocket.Client"); // Client = New("AddIn.WebSocket.Client")

КонецПроцедуры

&НаКлиенте
Процедура Подключиться(Команда) // Connect(Command)

	Попытка
		Клиент.Подключиться(АдресСервера); // Client.Connect(ServerAddress)
	Исключение
		ДобавитьВЖурнал("Ошибка подключения: " + Клиент.ОписаниеОшибки()); // Client.ErrorDescription()
		Возврат;
	КонецПопытки;

	ДобавитьВЖурнал("Подключено к " + Клиент.Сервер); // Client.Server — адрес соединения / the connection's address

	// Опрос раз в секунду, повторяющийся / Poll every second, repeating:
	// ПодключитьОбработчикОжидания(ИмяПроцедуры, Интервал, Однократно) = AttachIdleHandler(Name, Interval, Single)
	ПодключитьОбработчикОжидания("ПроверитьСообщения", 1, Ложь);

КонецПроцедуры

&НаКлиенте
Процедура Отправить(Команда) // Send(Command)

	Если НЕ Клиент.Статус = 1 Тогда // Client.Status: 1 — подключено / connected
		ДобавитьВЖурнал("Нет соединения");
		Возврат;
	КонецЕсли;

	Клиент.Отправить(ТекстСообщения); // Client.Send(MessageBody)
	ДобавитьВЖурнал("> " + ТекстСообщения);

КонецПроцедуры

// Обработчик ожидания: забирает всё, что уже пришло / Idle handler: takes everything that has arrived.
&НаКлиенте
Процедура ПроверитьСообщения() Экспорт // CheckMessages() — обработчик ожидания должен быть экспортным / must be exported

	Данные = ""; // Data
	// Таймаут 10 мс: если очередь пуста, интерфейс почти не ждёт.
	// Timeout 10 ms: with an empty queue the UI barely waits. Client.Receive(Timeout, Data)
	Пока Клиент.Принять(10, Данные) Цикл
		ДобавитьВЖурнал("< " + Данные);
	КонецЦикла;

	// Статус 0 — сервер закрыл соединение, −1 — оно оборвалось; сообщения, пришедшие до этого,
	// уже выданы циклом выше. / Status 0 — the server closed the connection, −1 — it broke; messages
	// that arrived before that were already handed out by the loop above.
	Если НЕ Клиент.Статус = 1 Тогда
		ОтключитьОбработчикОжидания("ПроверитьСообщения"); // DetachIdleHandler
		ДобавитьВЖурнал("Соединение закрыто (статус " + Клиент.Статус + ")");
	КонецЕсли;

КонецПроцедуры

&НаКлиенте
Процедура ПриЗакрытии(ЗавершениеРаботы) // OnClose(Exit)

	ОтключитьОбработчикОжидания("ПроверитьСообщения");
	Если НЕ Клиент = Неопределено Тогда
		Клиент.Отключиться(); // Client.Disconnect()
		Клиент = Неопределено;
	КонецЕсли;

КонецПроцедуры

&НаКлиенте
Процедура ДобавитьВЖурнал(Строка) // AppendToLog(Line)

	Журнал = Журнал + Формат(ТекущаяДата(), "ДФ=ЧЧ:мм:сс") + " " + Строка + Символы.ПС; // CurrentDate, Chars.LF

КонецПроцедуры
