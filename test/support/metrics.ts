// Scrapes /metrics and parses it with a Prometheus text parser from npm, as a scraper would.
import parsePrometheusTextFormat, { type PrometheusFamily, type PrometheusSample } from "parse-prometheus-text-format";

export interface Scrape {
  text: string;
  families: Map<string, PrometheusFamily>;
  /** The samples of one metric whose labels include `labels`. */
  samples(name: string, labels?: Record<string, string>): PrometheusSample[];
  /** The value of the one sample of `name` with these labels (a histogram's count); NaN when there is none. */
  value(name: string, labels?: Record<string, string>): number;
}

export function parseScrape(text: string): Scrape {
  const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  const samples = (name: string, labels: Record<string, string> = {}) =>
    (families.get(name)?.metrics ?? []).filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return {
    text,
    families,
    samples,
    value(name, labels) {
      const found = samples(name, labels);
      if (found.length !== 1) return Number.NaN;
      return Number(found[0]!.value ?? found[0]!.count);
    },
  };
}

export async function scrapeMetrics(url: string, token?: string): Promise<Scrape> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (res.status !== 200) throw new Error(`GET ${url} → ${res.status}`);
  return parseScrape(await res.text());
}
