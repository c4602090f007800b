/**
 * Lit styles components with constructable stylesheets; where a browser lacks them it falls back
 * to `<style>` elements, which the CSP admits only with the page's nonce. Lit reads that nonce
 * from `window.litNonce`, so set it from this script's own nonce before any component loads
 * (this module is imported first).
 */
declare global {
  interface Window {
    litNonce?: string;
  }
}

const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce;
if (nonce) window.litNonce = nonce;

export {};
