import { useEffect, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartSeries {
  label: string;
  color: string;
  values: (number | null)[];
  bars?: boolean;
}

/** A uPlot time series: x in seconds since the epoch. The plot is updated in place. */
export function Chart({ x, series, height = 200, yLabel, timeLabel, legend = true }: { x: number[]; series: ChartSeries[]; height?: number; yLabel?: string; timeLabel?: string; legend?: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => `${s.label}:${s.color}:${s.bars ? 1 : 0}`).join("|");
  const theme = useThemeVersion();

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const text = getComputedStyle(document.documentElement).getPropertyValue("--muted").trim() || "#666";
    const grid = getComputedStyle(document.documentElement).getPropertyValue("--border").trim() || "#ddd";
    // The axes are drawn on a canvas: in the app's font stack (its own CJK font included), not uPlot's.
    const fonts = getComputedStyle(document.documentElement).getPropertyValue("--font-sans").trim() || "sans-serif";
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, font: `12px ${fonts}`, labelFont: `bold 12px ${fonts}` };
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height,
      legend: { show: legend },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      // Time ticks at least 70 px apart: closer ones (10 s in the live view) put two-line time
      // labels on top of each other.
      axes: [{ ...axis, space: 70 }, { ...axis, label: yLabel, size: 56 }],
      series: [
        { label: timeLabel },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: s.bars ? 0 : 1.6,
          fill: s.bars ? s.color : undefined,
          paths: s.bars ? uPlot.paths.bars?.({ size: [0.7, 12] }) : undefined,
          spanGaps: false,
          points: { show: false },
        })),
      ],
    };
    plot.current = new uPlot(opts, [x, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: el.clientWidth, height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuilt only when the set of series changes; data flows through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape, height, yLabel, timeLabel, legend, theme]);

  useEffect(() => {
    plot.current?.setData([x, ...series.map((s) => s.values)] as uPlot.AlignedData);
  }, [x, series]);

  return <div ref={host} className="chart" data-testid="chart" />;
}

/** Changes whenever the colours may have: the operator's theme (data-theme) or the system's. */
function useThemeVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const bump = () => setVersion((v) => v + 1);
    const observer = new MutationObserver(bump);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    const media = window.matchMedia?.("(prefers-color-scheme: dark)");
    media?.addEventListener("change", bump);
    return () => {
      observer.disconnect();
      media?.removeEventListener("change", bump);
    };
  }, []);
  return version;
}
