// One way to say where a template problem is: "Line 3: …", unless the message already names its
// line (the render API's messages start with "line 3:" or carry "(line 3, column 9: …)").
export function problemText(message: string, line?: number | null): string {
  if (!line || /\bline \d+/i.test(message)) return capitalize(message);
  return `Line ${line}: ${message}`;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
