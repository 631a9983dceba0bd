// Модуль: модуль управляемой формы, которая принимает сообщения WebSocket, пока открыта
// Выполняется: на клиенте — тонкий и толстый клиент, платформа 8.3.18 и новее (Асинх/Ждать);
//   не веб-клиент: компоненте нужен Node.js на компьютере пользователя
// Module: a managed form module that receives WebSocket messages while it is open.
// Runs: on the client — thin and thick client, platform 8.3.18 or later (Async/Await); not the web client.
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
// Компонента подключается асинхронно: ПодключитьВнешнююКомпонентуАсинх, при неудаче
// УстановитьВнешнююКомпонентуАсинх и подключение ещё раз. Асинх и Ждать появились в 8.3.18 («Заметки из
// Зазеркалья», 1С: «Улучшения в синтаксисе языка 1С для работы с асинхронными функциями», реализовано в
// 8.3.18.1128); на более старых платформах — вариант с ОписаниеОповещения из form-external-events.bsl.
// The add-in is attached asynchronously: AttachAddInAsync, on failure InstallAddInAsync and attach again
// (Async/Await: platform 8.3.18.1128+, per 1C's blog). Older platforms: the NotifyDescription variant in
// form-external-events.bsl.
// Методы компоненты здесь вызываются синхронно: свойство конфигурации «Режим использования синхронных
// вызовов расширений платформы и внешних компонент» должно их разрешать («Использовать» или «Использовать
// с предупреждением»). / The add-in's methods are called synchronously here: the configuration property
// "Synchronous calls to platform extensions and add-ins" must allow them.
// Принять в обработчике ожидания — синхронный вызов с таймаутом 10 мс: интерфейс ждёт не дольше.
// Receive in the idle handler is a synchronous call with a 10 ms timeout: the UI waits no longer.

&НаКлиенте
Перем Клиент; // Client — объект компоненты живёт в переменной модуля: в реквизит формы его не положить
              // the add-in object lives in a module variable: form attributes cannot hold it

&НаКлиенте
Асинх Процедура ПриОткрытии(Отказ) // Async OnOpen(Cancel)

	Попытка
		// AttachAddInAsync(Location, Name, Type) → Обещание (Promise) с Булево
		Подключено = Ждать ПодключитьВнешнююКомпонентуАсинх("ОбщийМакет.WebSocket", "WebSocket", ТипВнешнейКомпоненты.Native);
		Если НЕ Подключено Тогда
			// Ещё не установлена на этом компьютере: установить из макета и подключить снова.
			// Not installed on this computer yet: install from the template and attach again.
			Ждать УстановитьВнешнююКомпонентуАсинх("ОбщийМакет.WebSocket"); // InstallAddInAsync(Location)
			Подключено = Ждать ПодключитьВнешнююКомпонентуАсинх("ОбщийМакет.WebSocket", "WebSocket", ТипВнешнейКомпоненты.Native);
		КонецЕсли;
	Исключение
		// Например, пользователь отказался от установки / e.g. the user refused the installation.
		ДобавитьВЖурнал("Компонента WebSocket не подключена: " + КраткоеПредставлениеОшибки(ИнформацияОбОшибке()));
		Возврат;
	КонецПопытки;

	Если НЕ Подключено Тогда
		ДобавитьВЖурнал("Компонента WebSocket не подключена: в макете нет библиотеки для этой платформы");
		Возврат;
	КонецЕсли;

	Клиент = Новый("AddIn.WebSocket.Client"); // Client = New("AddIn.WebSocket.Client")
	Клиент.ТаймаутПодключения = 5000;      // ConnectTimeout, мс: столько самое большее ждёт Подключиться

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

	Если Клиент = Неопределено ИЛИ НЕ Клиент.Статус = 1 Тогда // Client.Status: 1 — подключено / connected
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
