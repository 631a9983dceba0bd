/**
 * A C-driver script (native/test/driver.c) for hosts that free an object with C++ `delete` instead
 * of DestroyObject (OneScript's native-API proxy): a server with connection events, then one client
 * per way of freeing — `delete K` through each of the four vptrs, `destruct K` (the destructor
 * without freeing, the host frees the memory) through two of them. Freeing an object ends its engine
 * session, which closes its connection: the server must see that "close" within 5 s each time.
 */
export function destructorScript(port: number): string[] {
  const ways = [...[0, 1, 2, 3].map((k) => ['delete', String(k)]), ['destruct', '2'], ['destruct', '3']];
  const script = ['new', 'Server', 'set', 'СобытияСоединений', 'b:1', 'call', 'Запустить', 's:127.0.0.1', `n:${port}`];
  const nextEvent = (event: string) => ['use', '0', 'call', 'ПринятьСобытие', 'n:5000', '-', '-', 'expect-param', '3', `s:${event}`];
  ways.forEach(([how, k], i) => {
    script.push('new', 'Client', 'call', 'Подключиться', `s:ws://127.0.0.1:${port}`, ...nextEvent('open'));
    script.push('use', String(i + 1), how as string, k as string, ...nextEvent('close'));
  });
  // the server itself goes the same way
  script.push('use', '0', 'call', 'Остановить', 'delete', '0');
  return script;
}

/** The driver's closing line when every expectation held and no host allocation leaked. */
export const DRIVER_CLEAN = /^outstanding host allocations: 0, unexpected results: 0$/m;
