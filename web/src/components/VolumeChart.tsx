// Events per interval for the feed's filter (POST /api/events/count-by/time), failures in their own
// colour, drawn with uPlot. Dragging across the chart narrows the feed to that window.
import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import { api } from "../api.ts";
import { toEventFilter, type FeedFilter } from "../lib/filter.ts";
import { buckets, chartWindow } from "../lib/time-range.ts";

interface Bucket {
  start_time: string;
  count: number;
}

export interface VolumeSeries {
  /** The window shown, in seconds: the x axis spans it exactly, so a brush maps to real times. */
  since: number;
  until: number;
  /** Bucket starts, in seconds (uPlot's time unit). */
  times: number[];
  events: number[];
  failures: number[];
}

/** Both answers on the buckets of the first (the server returns the same buckets for the same window). */
export function toSeries(all: Bucket[], failed: Bucket[], window: { since: number; until: number }): VolumeSeries {
  const failures = new Map(failed.map((b) => [b.start_time, b.count]));
  return {
    since: window.since / 1000,
    until: window.until / 1000,
    times: all.map((b) => Date.parse(b.start_time) / 1000),
    events: all.map((b) => b.count),
    failures: all.map((b) => failures.get(b.start_time) ?? 0),
  };
}

interface Props {
  filter: FeedFilter;
  /** Changes when new events arrive, so the chart catches up (debounced here). */
  refresh: number;
  onBrush: (from: Date, to: Date) => void;
}

const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

export function VolumeChart({ filter, refresh, onBrush }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const brush = useRef(onBrush);
  brush.current = onBrush;
  const [series, setSeries] = useState<VolumeSeries | null>(null);
  const span = useRef<[number, number]>([0, 1]);
  const [error, setError] = useState<string | null>(null);
  const key = JSON.stringify(filter);

  useEffect(() => {
    let live = true;
    const t = setTimeout(
      async () => {
        const now = Date.now();
        const window = chartWindow(filter.range ?? { name: "all" }, now);
        const occurred = { since: new Date(window.since).toISOString(), until: new Date(window.until).toISOString() };
        const base = { ...toEventFilter(filter, "DESC", now), occurred };
        const failedOnly = { ...toEventFilter({ ...filter, failuresOnly: true }, "DESC", now), occurred };
        const shape = buckets(window);
        try {
          const [all, failed] = await Promise.all([
            api<Bucket[]>("POST", "/api/events/count-by/time", { filter: base, ...shape }),
            api<Bucket[]>("POST", "/api/events/count-by/time", { filter: failedOnly, ...shape }),
          ]);
          if (live) setSeries(toSeries(all, failed, window)), setError(null);
        } catch (e) {
          if (live) setError((e as Error).message);
        }
      },
      series ? 1000 : 0,
    );
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [key, refresh]);

  useEffect(() => {
    const el = host.current;
    if (!el || !series) return;
    const data: uPlot.AlignedData = [series.times, series.events, series.failures];
    span.current = [series.since, series.until];
    if (plot.current) {
      plot.current.setData(data);
      return;
    }
    const bars = uPlot.paths.bars!({ size: [0.8, 40], align: 1 });
    plot.current = new uPlot(
      {
        width: el.clientWidth,
        height: 120,
        legend: { show: false },
        cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
        select: { show: true, left: 0, top: 0, width: 0, height: 0 },
        scales: { x: { time: true, range: () => span.current }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [
          { stroke: css("--muted"), grid: { show: false }, ticks: { stroke: css("--border") } },
          { stroke: css("--muted"), size: 40, grid: { stroke: css("--border"), width: 1 }, ticks: { show: false } },
        ],
        series: [
          {},
          // No outline: an empty interval draws nothing rather than a line along the axis.
          { label: "Events", fill: css("--accent"), stroke: css("--accent"), width: 0, paths: bars, points: { show: false } },
          { label: "Failures", fill: css("--danger"), stroke: css("--danger"), width: 0, paths: bars, points: { show: false } },
        ],
        hooks: {
          setSelect: [
            (u) => {
              if (u.select.width < 2) return;
              const from = u.posToVal(u.select.left, "x");
              const to = u.posToVal(u.select.left + u.select.width, "x");
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              brush.current(new Date(from * 1000), new Date(to * 1000));
            },
          ],
        },
      },
      data,
      el,
    );
  }, [series]);

  useEffect(() => {
    const el = host.current!;
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: el.clientWidth, height: 120 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
    };
  }, []);

  const total = series ? series.events.reduce((a, b) => a + b, 0) : 0;
  const failures = series ? series.failures.reduce((a, b) => a + b, 0) : 0;
  return (
    <figure class="volume" data-testid="volume-chart">
      <div
        ref={host}
        class="volume-plot"
        role="img"
        aria-label={`Event volume: ${total} events, ${failures} failures in the window shown`}
      />
      <figcaption class="muted small">
        <span class="swatch events" aria-hidden="true" /> Events <span class="swatch failures" aria-hidden="true" /> Failures
        {(filter.range?.name ?? "all") === "all" && " · last 7 days"} · drag across the chart to narrow the feed
      </figcaption>
      {error && <p class="error-text small">{error}</p>}
    </figure>
  );
}
