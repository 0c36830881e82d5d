// The HTML report of `relc run --html` shown in a webview: relc's own page, whose inline scripts
// draw its charts (Vega compiles their specifications to functions, hence 'unsafe-eval'); the
// policy lets nothing be fetched, as the page needs nothing from outside.
export const reportPolicy =
  "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:;";

export function reportWebviewHtml(page: string): string {
  const meta = `<meta http-equiv="Content-Security-Policy" content="${reportPolicy}">`;
  const head = page.indexOf("<head>");
  if (head < 0) throw new Error("not an HTML report: it has no <head>");
  return page.slice(0, head + "<head>".length) + "\n" + meta + page.slice(head + "<head>".length);
}
