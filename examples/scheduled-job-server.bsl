// Модуль: общий модуль СерверWebSocketКаждуюСекунду (флажок «Сервер»; без директив — их в общих модулях нет)
// Выполняется: на сервере, в регламентном задании с расписанием «каждую 1 секунду» (метод задания —
//   СерверWebSocketКаждуюСекунду.ОбработатьСообщенияWebSocket)
// Module: a common module (flag Server). Runs: on the server, in a scheduled job that repeats every second.
//
// Это шаблон документа (раздел 6.3), и у него есть цена / This is the document's pattern, and it costs:
//  - каждый запуск — новый сеанс: подключение компоненты, вход в информационную базу, запись в журнал
//    регистрации; 86 400 запусков в сутки / every run is a new session: 86,400 a day;
//  - между запусками никто не вызывает Принять: ответ ждёт до следующего запуска (секунда и больше,
//    если планировщик занят) / between runs nobody calls Receive: answers wait for the next run;
//  - планировщик не запускает задание чаще, чем позволяет кластер, и пропускает запуск, пока идёт
//    предыдущий; при остановке заданий в базе сервер через 60 с закрывается.
//    The scheduler skips a run while the previous one runs; when jobs are blocked the server closes after 60 s.
// Рекомендуемый вариант — длительное фоновое задание под присмотром регламентного: background-job-server.bsl.
// The recommended pattern is a long-running background job watched by a scheduled one: background-job-server.bsl.
//
// Сервер сообщений в регламентном задании (документация, раздел 6.3).
// A message server in a scheduled job (document section 6.3). English names in comments.
//
// Регламентное задание с расписанием «каждую 1 секунду» вызывает эту процедуру. Каждый запуск —
// новый сеанс 1С, и его объекты уничтожаются по окончании, без Остановить(). Сервер, у которого
// задан Владелец, компонента сохраняет (порт, соединения, их ИД и очередь сообщений) на время
// ONEC_WEBSOCKET_SERVER_GRACE_MS (по умолчанию 60 с), и Запустить с тем же Владельцем на том же
// интерфейсе и порту подключается к нему снова: клиенты не замечают смены сеансов и ничего не теряют.
// Сервер без Владельца останавливается вместе со своим объектом (docs/ru/infobases.md).
//
// Each run of the job is a new 1C session whose objects die with it, without Stop(). A server with an
// Owner is kept (port, connections, ids, queued messages) for a grace period, and Run() with the same
// Owner on the same interface and port re-attaches to it, so clients see nothing and lose nothing.
// A server without an Owner stops with its object (docs/infobases.md).

Процедура ОбработатьСообщенияWebSocket() Экспорт

	Попытка
		Подключена = ПодключитьВнешнююКомпоненту("ОбщийМакет.WebSocket", "WebSocket", ТипВнешнейКомпоненты.Native);
	Исключение
		Подключена = Ложь;
		ЗаписьЖурналаРегистрации("WebSocket", УровеньЖурналаРегистрации.Ошибка, , ,
			ПодробноеПредставлениеОшибки(ИнформацияОбОшибке())); // WriteLogEvent, DetailErrorDescription(ErrorInfo())
	КонецПопытки;
	Если НЕ Подключена Тогда
		ВызватьИсключение "Компонента WebSocket не подключена: в макете ОбщийМакет.WebSocket нет библиотеки для этого сервера";
	КонецЕсли;

	Сервер = Новый("AddIn.WebSocket.Server");
	// Владелец (Owner) — строка соединения этой информационной базы. Одна компонента обслуживает все
	// базы кластера под одним пользователем ОС: копия этой базы с тем же заданием на том же порту
	// не получит ни соединений, ни сообщений этой базы — её Запустить завершится ошибкой, пока сервер
	// ждёт следующего запуска этого задания.
	// The infobase's connection string: a copy of this infobase running the same job on the same port
	// never gets this infobase's connections or messages; its Run() fails while this server waits.
	Сервер.Владелец = СтрокаСоединенияИнформационнойБазы(); // InfoBaseConnectionString()
	Попытка
		Сервер.Запустить("0.0.0.0", 8098);          // Run: первый запуск открывает порт, следующие (того же Владельца) — подключаются к серверу
	Исключение
		// Текст компоненты и подробности платформы — в журнал, затем ошибка задания.
		// The add-in's text and the platform's details go to the event log, then the job fails.
		ТекстОшибки = Сервер.ОписаниеОшибки(); // Server.ErrorDescription()
		ЗаписьЖурналаРегистрации("WebSocket", УровеньЖурналаРегистрации.Ошибка, , ,
			ТекстОшибки + Символы.ПС + ПодробноеПредставлениеОшибки(ИнформацияОбОшибке()));
		ВызватьИсключение ТекстОшибки;
	КонецПопытки;

	ИДКлиента = 0;
	Данные = "";
	Окончание = ТекущаяДатаСеанса() + 1;            // работаем около секунды: следующий запуск продолжит
	Пока ТекущаяДатаСеанса() < Окончание Цикл
		Если НЕ Сервер.Принять(200, ИДКлиента, Данные) Тогда // Receive(Timeout, ClientID, Data)
			Продолжить;
		КонецЕсли;
		// Долгую обработку лучше отдать фоновому заданию с ИДКлиента и вернуть ответ позже.
		// Long work: hand it to a background job with the client id and answer later.
		Сервер.Отправить(ИДКлиента, "Принято: " + Данные); // Send(ClientID, Message)
	КонецЦикла;

	ЗаписьЖурналаРегистрации("WebSocket", УровеньЖурналаРегистрации.Информация, , ,
		"Соединения: " + Сервер.Соединения);        // Connections: «1: 10.0.0.5:51234 | 2: …»

	// Без Сервер.Остановить(): сервер переживает этот сеанс до следующего запуска задания.
	// No Stop() here: the server outlives this session until the job's next run.

КонецПроцедуры
