/**
 * A C-driver script (native/test/driver.c) for hosts that free an object with C++ `delete` instead
 * of DestroyObject (OneScript's native-API proxy): a server with connection events, then one client
 * per way of freeing — `delete K` through each of the four vptrs, `destruct K` (the destructor
 * without freeing; the host frees the memory) through two of them. Hosts call Done first, and Done
 * alone closes the connection, so the first six are freed without Done: the "close" the server must
 * see within 5 s each time then proves that the destructor itself ended the object's session. The
 * last two call Done first (`finish`), as such a host does.
 */
export function destructorScript(port: number): string[] {
  const ways = [
    ...[0, 1, 2, 3].map((k) => ['delete', String(k)]),
    ['destruct', '2'],
    ['destruct', '3'],
    ['finish', 'delete', '1'],
    ['finish', 'destruct', '0'],
  ];
  const script = ['new', 'Server', 'set', 'СобытияСоединений', 'b:1', 'call', 'Запустить', 's:127.0.0.1', `n:${port}`];
  const nextEvent = (event: string) => ['use', '0', 'call', 'ПринятьСобытие', 'n:5000', '-', '-', 'expect-param', '3', `s:${event}`];
  ways.forEach((way, i) => {
    script.push('new', 'Client', 'call', 'Подключиться', `s:ws://127.0.0.1:${port}`, ...nextEvent('open'));
    script.push('use', String(i + 1), ...way, ...nextEvent('close'));
  });
  // the server itself goes the same way
  script.push('use', '0', 'call', 'Остановить', 'finish', 'delete', '0');
  return script;
}

/** The driver's closing line when every expectation held and no host allocation leaked. */
export const DRIVER_CLEAN = /^outstanding host allocations: 0, unexpected results: 0$/m;
