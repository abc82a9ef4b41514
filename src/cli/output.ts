// Plain-text tables and JSON for command output.

/** Aligned columns, two spaces apart, header first; trailing spaces trimmed. */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? "").length)));
  return (
    all
      .map((r) =>
        r
          .map((cell, c) => (cell ?? "").padEnd(widths[c]!))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n"
  );
}

/** One line of at most `max` characters: whitespace runs become one space, the cut is marked with "…". */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** Prefect's CLI prints JSON with an indent of 2. */
export const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
