declare module 'proxy-from-env' {
  /** The proxy URL the standard environment variables (HTTP(S)_PROXY, NO_PROXY…) give for `url`, or "". */
  export function getProxyForUrl(url: string): string;
}
