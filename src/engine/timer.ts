/** setTimeout that also works for delays beyond 2^31−1 ms (Node fires those at once). */
const MAX_DELAY = 2 ** 31 - 1;

export function startTimer(ms: number, fire: () => void): () => void {
  let handle: NodeJS.Timeout;
  let remaining = ms;
  const arm = (): void => {
    const step = Math.min(remaining, MAX_DELAY);
    remaining -= step;
    handle = setTimeout(() => (remaining > 0 ? arm() : fire()), step);
  };
  arm();
  return () => clearTimeout(handle);
}
