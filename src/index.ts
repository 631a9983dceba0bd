export { Client, type ClientOptions, type ClientStatus, type ClientTls, type CloseInfo } from './engine/client.js';
export { Server, type ServerMessage, type ServerOptions } from './engine/server.js';
export { EngineError, errorText } from './engine/errors.js';
export { DEFAULT_LIMITS, DEFAULT_CONNECT_TIMEOUT_MS, type Limits } from './engine/options.js';
export type { Message } from './engine/message.js';
export type { Taken } from './engine/queue.js';
export { MESSAGES, format, type Lang, type MessageKey } from './i18n/messages.js';
