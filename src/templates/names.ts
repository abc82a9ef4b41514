// What a template name may be: Python's ASCII identifiers. nunjucks' lexer reads anything up to a
// delimiter as a symbol (quotes, backticks and backslashes included), so every name is checked
// before a template is compiled, and the compiler never writes a name into code except as a JSON
// string literal.

export const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function invalidName(name: unknown): string {
  const text = String(name);
  const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
  return `${shown} is not a valid name: names are letters, digits and underscores, and do not start with a digit`;
}

/** A name as a JavaScript string literal, for the code generator. */
export const quoted = (name: unknown): string => JSON.stringify(String(name));
