// Bounds on a request's header section, checked before anything else reads it. The runtime has its
// own ceilings (Bun answers 431 itself past 16 KiB of headers, or about 200 of them); these are the
// operator's, below them. Repeated headers reach us joined into one (as Headers does), so the count
// is of distinct names; their bytes still count in full.

export interface HeaderLimits {
  maxCount: number;
  maxBytes: number;
}

/** Why the headers are over a limit, or null. Bytes are names, values and ": " + CRLF per header. */
export function headerProblem(headers: Headers, limits: HeaderLimits): string | null {
  let count = 0;
  let bytes = 0;
  for (const [name, value] of headers) {
    count++;
    bytes += name.length + value.length + 4;
  }
  if (count > limits.maxCount) return `${count} headers, more than ${limits.maxCount}`;
  if (bytes > limits.maxBytes) return `${bytes} bytes of headers, more than ${limits.maxBytes}`;
  return null;
}
