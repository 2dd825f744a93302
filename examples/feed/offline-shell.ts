/**
 * Registers the page's service worker (sw.ts), which keeps the page's HTML and script so a reload
 * without a network still starts the app; the feed itself comes from the client's IndexedDB
 * cache. Service workers need a secure context: https, or http on localhost and 127.0.0.1.
 *
 * @example
 * watchOfflineShell((ready) => status.showShell(ready));
 */

/**
 * Registers ./sw.js for this page's folder and calls `onReady(true)` once it controls the page
 * (false where there are no service workers, or registration failed).
 *
 * @example
 * watchOfflineShell((ready) => console.log(ready ? "works offline" : "needs the network"));
 */
export function watchOfflineShell(onReady: (ready: boolean) => void): void {
  const workers = navigator.serviceWorker as ServiceWorkerContainer | undefined;
  if (workers === undefined) {
    onReady(false);
    return;
  }
  const check = (): void => onReady(workers.controller !== null);
  workers.addEventListener("controllerchange", check);
  check();
  workers.register("./sw.js", { scope: "./" }).catch((error: unknown) => {
    console.warn("edgelog feed: the offline shell could not be registered", error);
    onReady(false);
  });
}
