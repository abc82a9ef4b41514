// A seeded source of randomness for the fuzz suite: the same seed gives the same cases, so a failure
// printed with its seed and case number can be run again as it was.

export interface Random {
  seed: number;
  /** A float in [0, 1). */
  next(): number;
  int(max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  bytes(n: number): Uint8Array;
  /** A short string from a mix of ASCII, control characters, non-ASCII and astral characters. */
  text(max?: number): string;
}

/** mulberry32: tiny, fast and good enough to pick test cases. */
export function seeded(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  const ALPHABETS = ["abcdefghijklmnopqrstuvwxyz", "0123456789", " \t\r\n\0\x7f", '"\\{}[]:,%*?!-+', "éßøñ中文🙂\u2028\ufeff"];
  return {
    seed,
    next,
    int,
    pick: (items) => items[int(items.length)]!,
    chance: (p) => next() < p,
    bytes: (n) => Uint8Array.from({ length: n }, () => int(256)),
    text(max = 24) {
      let s = "";
      for (let i = int(max + 1); i > 0; i--) {
        const alphabet = [...ALPHABETS[int(ALPHABETS.length)]!];
        s += alphabet[int(alphabet.length)];
      }
      return s;
    },
  };
}

/** The seed from FUZZ_SEED, or a fresh one. */
export function fuzzSeed(): number {
  const given = process.env.FUZZ_SEED;
  return given && /^\d+$/.test(given) ? Number(given) : Math.floor(Math.random() * 2 ** 31);
}
