/**
 * Adds a style sheet to the widget's shadow root in a way a strict Content-Security-Policy
 * allows: a constructed sheet (`adoptedStyleSheets`) is CSSOM, which `style-src` does not govern,
 * whereas a `<style>` element (or a `style="…"` attribute) needs `style-src 'unsafe-inline'`.
 * Browsers without constructable sheets (Safari before 16.4, Firefox before 101) get a `<style>`
 * element instead. Sheets apply in the order they are added; they go when the root goes (the
 * loader removes the whole widget element on `shutdown()`).
 */
export function addStyles(root: ShadowRoot, css: string): void {
  if (root.adoptedStyleSheets) {
    const sheet = new CSSStyleSheet()
    sheet.replaceSync(css)
    // A new array, not push(): before Chrome 99 the property is a frozen array.
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet]
  } else {
    const el = document.createElement('style')
    el.textContent = css
    root.append(el)
  }
}
