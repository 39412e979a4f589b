/**
 * Types for the code the tests run inside the page (page.evaluate). The root tsconfig has no DOM
 * library (main/ must not use browser globals), so page functions reach them through
 * `globalThis as unknown as BrowserGlobals`: a type-only view, erased before the function is sent
 * to the page. Only what the tests use is declared.
 */
export interface BrowserElement {
  readonly tagName: string;
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  matches(selector: string): boolean;
  closest(selector: string): BrowserElement | null;
  getClientRects(): { readonly length: number };
  getBoundingClientRect(): { readonly width: number; readonly height: number };
  focus(): void;
}

export interface BrowserWebSocket {
  onopen: (() => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  onerror: (() => void) | null;
  close(): void;
}

export interface BrowserGlobals {
  document: {
    readonly activeElement: BrowserElement | null;
    readonly body: BrowserElement;
    readonly documentElement: BrowserElement;
    querySelectorAll(selector: string): ArrayLike<BrowserElement>;
    addEventListener(type: 'securitypolicyviolation', listener: (event: { violatedDirective: string; effectiveDirective: string }) => void): void;
    createElement(tag: 'script'): BrowserElement & { textContent: string | null };
    readonly head: { append(node: BrowserElement): void };
  };
  location: { readonly hash: string; readonly href: string; readonly host: string };
  getComputedStyle(element: BrowserElement): { outlineStyle: string; outlineWidth: string; visibility: string };
  WebSocket: new (url: string, protocols?: string[]) => BrowserWebSocket;
  setTimeout(callback: () => void, ms: number): number;
  /** Set by the CSP test's inline script, should it ever run. */
  inlineScriptRan?: boolean;
  open?: (url: string) => unknown;
  require?: unknown;
  process?: unknown;
  headsetBridge?: Record<string, unknown>;
}
