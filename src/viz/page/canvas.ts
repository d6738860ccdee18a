// The timeline canvas's layout, shared by what draws on it (timeline.ts, arrows.ts, counters.ts)
// and what reads the pointer on it (controls.ts), and the shapes more than one of them draws.
export const GUTTER_PX = 220;
export const AXIS_PX = 22;
/** A lane's height; an event mark is as tall less a margin, and at least 8 px wide to hit. */
export const LANE_PX = 24;

/** `text` cut to `width` pixels, with an ellipsis when cut. */
export function fitText(g: CanvasRenderingContext2D, text: string, width: number): string {
  if (g.measureText(text).width <= width) return text;
  let n = text.length;
  while (n > 1 && g.measureText(`${text.slice(0, n)}…`).width > width) n--;
  return `${text.slice(0, n)}…`;
}

/** A fault's triangle, pointing down into the lane whose top is at y. */
export function triangleAt(path: Path2D, x: number, y: number): void {
  path.moveTo(x - 6, y + 2);
  path.lineTo(x + 6, y + 2);
  path.lineTo(x, y + LANE_PX - 3);
  path.closePath();
}
