/**
 * The memory webview's HTML: a strict CSP (nothing but the bundle's own script, which carries a
 * fresh nonce, and the bundle's stylesheet), no remote resources, no inline script or style.
 * Lit (under @vscode-elements) styles its components with constructable stylesheets, which
 * `style-src` does not govern, so no 'unsafe-inline' is needed; the nonce in `style-src` covers
 * Lit's fallback `<style>` elements (it reads `window.litNonce`, set from the script's nonce).
 * No VS Code import here: the headless-browser render test builds the same page.
 */
import { randomBytes } from 'node:crypto';

export interface MemoryHtmlInputs {
  /** `webview.cspSource`: the origin the webview serves local resources from. */
  readonly cspSource: string;
  readonly scriptUri: string;
  readonly styleUri: string;
  readonly nonce?: string;
}

/** A nonce for one page load: 128 random bits. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The Content-Security-Policy of the page. */
export function memoryCsp(cspSource: string, nonce: string): string {
  return [`default-src 'none'`, `style-src ${cspSource} 'nonce-${nonce}'`, `script-src 'nonce-${nonce}'`, `font-src ${cspSource}`].join('; ');
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

export function memoryHtml(inputs: MemoryHtmlInputs): string {
  const nonce = inputs.nonce ?? newNonce();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(memoryCsp(inputs.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(inputs.styleUri)}">
<title>Spark Gateway: Memory</title>
</head>
<body>
<main id="app" aria-label="Memory headroom"></main>
<script nonce="${attr(nonce)}" src="${attr(inputs.scriptUri)}"></script>
</body>
</html>
`;
}
