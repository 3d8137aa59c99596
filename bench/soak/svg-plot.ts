// A plot of the soak's samples as one SVG of small line charts (no plotting dependency): each
// panel has its title, a y axis from 0 to a round maximum, minutes on the x axis and a legend.
import type { Point } from './trend.ts';

export interface Line {
  readonly label: string;
  readonly color: string;
  readonly points: readonly Point[];
}

export interface Panel {
  readonly title: string;
  readonly lines: readonly Line[];
}

const PANEL_WIDTH = 480;
const PANEL_HEIGHT = 220;
const MARGIN = { left: 56, right: 16, top: 28, bottom: 40 };
const COLUMNS = 2;

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

const ROUND_STEPS = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];

/** The smallest round number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) at least `value`, at least 1. */
export function roundUp(value: number): number {
  if (!(value > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return (ROUND_STEPS.find((step) => step * power >= value) ?? 10) * power;
}

function panelSvg(panel: Panel, x0: number, y0: number, maxMinute: number): string {
  const width = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const height = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const values = panel.lines.flatMap((line) => line.points.map((point) => point.value)).filter(Number.isFinite);
  const maxValue = roundUp(Math.max(0, ...values));
  const xOf = (minute: number) => x0 + MARGIN.left + (maxMinute === 0 ? 0 : (minute / maxMinute) * width);
  const yOf = (value: number) => y0 + MARGIN.top + height - (value / maxValue) * height;
  const parts = [
    `<text x="${x0 + MARGIN.left}" y="${y0 + 18}" font-size="13" font-weight="bold">${escapeXml(panel.title)}</text>`,
    `<rect x="${x0 + MARGIN.left}" y="${y0 + MARGIN.top}" width="${width}" height="${height}" fill="none" stroke="#999"/>`,
  ];
  for (const fraction of [0, 0.25, 0.5, 0.75, 1]) {
    const y = yOf(maxValue * fraction);
    parts.push(
      `<line x1="${x0 + MARGIN.left}" x2="${x0 + MARGIN.left + width}" y1="${y}" y2="${y}" stroke="#eee"/>`,
      `<text x="${x0 + MARGIN.left - 6}" y="${y + 4}" font-size="11" text-anchor="end">${+(maxValue * fraction).toPrecision(3)}</text>`,
    );
  }
  for (const fraction of [0, 0.25, 0.5, 0.75, 1]) {
    const minute = maxMinute * fraction;
    parts.push(
      `<text x="${xOf(minute)}" y="${y0 + MARGIN.top + height + 16}" font-size="11" text-anchor="middle">${+minute.toFixed(maxMinute < 10 ? 1 : 0)}</text>`,
    );
  }
  parts.push(
    `<text x="${x0 + MARGIN.left + width / 2}" y="${y0 + PANEL_HEIGHT - 6}" font-size="11" text-anchor="middle">minutes</text>`,
  );
  panel.lines.forEach((line, index) => {
    const path = line.points
      .filter((point) => Number.isFinite(point.value))
      .map((point, at) => `${at === 0 ? 'M' : 'L'}${xOf(point.minute).toFixed(1)},${yOf(point.value).toFixed(1)}`)
      .join(' ');
    if (path !== '') parts.push(`<path d="${path}" fill="none" stroke="${line.color}" stroke-width="1.5"/>`);
    const legendX = x0 + MARGIN.left + width - 80 * (panel.lines.length - index);
    parts.push(
      `<text x="${legendX}" y="${y0 + 18}" font-size="11" fill="${line.color}">${escapeXml(line.label)}</text>`,
    );
  });
  return parts.join('\n');
}

/** The panels in two columns, with a caption line on top. */
export function plotSvg(caption: string, panels: readonly Panel[]): string {
  const maxMinute = Math.max(
    1,
    ...panels.flatMap((panel) => panel.lines.flatMap((line) => line.points.map((point) => point.minute))),
  );
  const rows = Math.ceil(panels.length / COLUMNS);
  const width = PANEL_WIDTH * COLUMNS;
  const height = PANEL_HEIGHT * rows + 30;
  const body = panels.map((panel, index) =>
    panelSvg(panel, (index % COLUMNS) * PANEL_WIDTH, 30 + Math.floor(index / COLUMNS) * PANEL_HEIGHT, maxMinute),
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="8" y="20" font-size="13">${escapeXml(caption)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
