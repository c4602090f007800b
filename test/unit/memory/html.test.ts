import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memoryCsp, memoryHtml, newNonce } from '../../../src/vscode/memory/html';

describe('memory webview page', () => {
  it('allows only its own nonce-carrying script and stylesheet origin: no inline code, no remote anything', () => {
    const csp = memoryCsp('https://file+.vscode-resource.vscode-cdn.net', 'abc');
    assert.equal(csp, "default-src 'none'; style-src https://file+.vscode-resource.vscode-cdn.net 'nonce-abc'; script-src 'nonce-abc'; font-src https://file+.vscode-resource.vscode-cdn.net");
    assert.doesNotMatch(csp, /unsafe|https?:\/\/(?!file\+)/);
  });

  it('puts the nonce on its one script and a fresh nonce on every page', () => {
    const html = memoryHtml({ cspSource: 'vscode-webview:', scriptUri: 'vscode-webview:/dist/webview/memory.js', styleUri: 'vscode-webview:/dist/webview/memory.css', nonce: 'n0nce' });
    assert.deepEqual(html.match(/<script[^>]*>/g), ['<script nonce="n0nce" src="vscode-webview:/dist/webview/memory.js">']);
    assert.match(html, /<link rel="stylesheet" href="vscode-webview:\/dist\/webview\/memory.css">/);
    assert.notEqual(newNonce(), newNonce());
    assert.ok(newNonce().length >= 22, '128 bits');
  });
});
