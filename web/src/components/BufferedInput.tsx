// An input for a value that is not plain text (a list, a number): the text as typed is kept while it
// means the same value, so "a, " is not trimmed away mid-word; a change from elsewhere (the JSON view)
// replaces it.
import { useEffect, useState } from "preact/hooks";

interface Props<T> {
  id: string;
  class?: string;
  type?: "text" | "number";
  min?: number;
  step?: number | "any";
  placeholder?: string;
  disabled?: boolean;
  value: T;
  show: (v: T) => string;
  parse: (text: string) => T;
  onValue: (v: T) => void;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function BufferedInput<T>({ value, show, parse, onValue, type = "text", ...rest }: Props<T>) {
  const [text, setText] = useState(() => show(value));
  useEffect(() => {
    if (!same(parse(text), value)) setText(show(value));
  }, [JSON.stringify(value)]);
  return (
    <input
      {...rest}
      type={type as "text"}
      value={text}
      onInput={(e) => {
        const t = e.currentTarget.value;
        setText(t);
        onValue(parse(t));
      }}
    />
  );
}
