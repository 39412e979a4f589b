/**
 * The forms a secret takes in the text we write: as it is; JSON-escaped once (a log line is JSON,
 * so a password with a quote or a backslash is stored as `\"` or `\\`) and twice (a message that
 * quotes a JSON body, written into a JSON line); percent-encoded (a URL or a form body). Each form
 * is matched as exactly as the value itself.
 */
export function secretForms(value: string): string[] {
  const json = jsonEscaped(value);
  const forms = [value, json, jsonEscaped(json)];
  const percent = percentEncoded(value);
  if (percent !== undefined) forms.push(percent);
  return [...new Set(forms)];
}

function jsonEscaped(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

function percentEncoded(text: string): string | undefined {
  try {
    return encodeURIComponent(text);
  } catch {
    return undefined; // a lone surrogate has no percent-encoding, and so never appears as one
  }
}
