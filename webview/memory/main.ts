/**
 * Entry of the memory webview bundle. The view itself arrives with the memory headroom work;
 * this entry keeps the separate browser bundle (and its lint and type rules) in the build from
 * the start so the webview never grows inside the extension bundle.
 */
interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

acquireVsCodeApi().postMessage({ type: 'ready' });
