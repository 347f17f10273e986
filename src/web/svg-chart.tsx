/** A small time-series chart as inline SVG, computed on the server: no script, no external resource. */
import { formatNumber, formatShortTime, formatTime } from './format';

export interface ChartPoint {
  time: number;
  value: number;
}

// A small viewBox with large text: scaled to a phone's width the labels stay readable.
const W = 480;
const H = 220;
const PAD = { left: 62, right: 14, top: 14, bottom: 40 };
const FONT = 16;

/** The plotted value range: the data padded by 10% so points never sit on the frame. */
function valueRange(values: number[]): [number, number] {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.05 || 1;
    lo -= pad;
    hi += pad;
  } else {
    const pad = (hi - lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  return [lo, hi];
}

export function SvgChart(props: { id: string; title: string; unit?: string; points: ChartPoint[] }) {
  const points = [...props.points].sort((a, b) => a.time - b.time);
  const [lo, hi] = valueRange(points.map((p) => p.value));
  const t0 = points[0].time;
  const t1 = points[points.length - 1].time;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (t: number) => PAD.left + (t1 === t0 ? plotW / 2 : ((t - t0) / (t1 - t0)) * plotW);
  const y = (v: number) => PAD.top + (1 - (v - lo) / (hi - lo)) * plotH;
  // Within two days the dates alone would repeat: label with the time of day too.
  const axis = (t: number) => (t1 - t0 < 2 * 86400 ? formatTime(t) : formatShortTime(t));
  const unit = props.unit ? ` ${props.unit}` : '';
  const ticks = [hi, (hi + lo) / 2, lo];
  const line = points.map((p) => `${x(p.time).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  const last = points[points.length - 1];
  const min = Math.min(...points.map((p) => p.value));
  const max = Math.max(...points.map((p) => p.value));
  const summary = `${points.length} value${points.length === 1 ? '' : 's'} from ${axis(t0)} to ${axis(t1)}; lowest ${formatNumber(min)}${unit}, highest ${formatNumber(max)}${unit}, latest ${formatNumber(last.value)}${unit}.`;
  return (
    <figure class="chart">
      <h3 id={`${props.id}-h`}>{props.title}</h3>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${props.id}-t ${props.id}-d`} preserveAspectRatio="xMidYMid meet">
        <title id={`${props.id}-t`}>{props.title}</title>
        <desc id={`${props.id}-d`}>{summary}</desc>
        {ticks.map((v) => (
          <g>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} stroke="#d5dbe3" stroke-width="1" />
            <text x={PAD.left - 8} y={y(v) + 5} text-anchor="end" font-size={FONT} fill="#3d4a5c">
              {formatNumber(Number(v.toPrecision(4)))}
            </text>
          </g>
        ))}
        <text x={PAD.left} y={H - 10} font-size={FONT} fill="#3d4a5c">
          {axis(t0)}
        </text>
        {t1 !== t0 ? (
          <text x={W - PAD.right} y={H - 10} text-anchor="end" font-size={FONT} fill="#3d4a5c">
            {axis(t1)}
          </text>
        ) : null}
        {points.length > 1 ? <polyline points={line} fill="none" stroke="#0b5cad" stroke-width="2.5" stroke-linejoin="round" /> : null}
        {points.map((p) => (
          <circle cx={x(p.time).toFixed(1)} cy={y(p.value).toFixed(1)} r="4" fill="#ffffff" stroke="#0b5cad" stroke-width="2">
            <title>{`${formatNumber(p.value)}${unit} — ${formatTime(p.time)}`}</title>
          </circle>
        ))}
      </svg>
      <figcaption>{summary}</figcaption>
    </figure>
  );
}
