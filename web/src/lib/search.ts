// The search box reads as every search field does: all words must match. The API keeps Prefect's
// syntax (plain terms are ORed, `+term` is required, `-term` excluded), so the UI adds the `+`.

/** `deploy "main branch" -bot` → `+deploy +"main branch" -bot`; prefixed terms are left alone. */
export function requireEveryTerm(text: string): string {
  const terms: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++;
      continue;
    }
    const start = i;
    if ("+-!".includes(text[i]!)) i++;
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i++;
    } else {
      while (i < text.length && !/\s/.test(text[i]!)) i++;
    }
    const term = text.slice(start, Math.min(i, text.length));
    terms.push("+-!".includes(term[0]!) ? term : `+${term}`);
  }
  return terms.join(" ");
}
