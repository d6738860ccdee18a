// Horizontal runs of marks, per color: a mark that touches or overlaps the color's last run
// extends it instead of adding a rectangle. A dense stretch of a lane becomes one rectangle, so a
// frame's canvas calls stay few however many records it covers.
export class Runs {
  /** Per color: [x, y, width, height, …] of finished runs. */
  readonly rects: number[][];
  readonly #from: Float64Array;
  readonly #to: Float64Array;
  readonly #y: Float64Array;
  readonly #h: Float64Array;

  constructor(colors: number) {
    this.rects = Array.from({ length: colors }, () => []);
    this.#from = new Float64Array(colors).fill(NaN);
    this.#to = new Float64Array(colors);
    this.#y = new Float64Array(colors);
    this.#h = new Float64Array(colors);
  }

  add(color: number, x0: number, x1: number, y: number, h: number): void {
    if (this.#y[color] === y && x0 <= this.#to[color] + 1 && !Number.isNaN(this.#from[color])) {
      if (x1 > this.#to[color]) this.#to[color] = x1;
      return;
    }
    this.#flush(color);
    this.#from[color] = x0;
    this.#to[color] = x1;
    this.#y[color] = y;
    this.#h[color] = h;
  }

  /** Ends every open run (call at the end of a lane, and before drawing). */
  flush(): void {
    for (let c = 0; c < this.rects.length; c++) this.#flush(c);
  }

  /** Fills each color's runs; `order` lists the colors, last on top. */
  fill(g: CanvasRenderingContext2D, colors: string[], order: number[]): void {
    this.flush();
    for (const c of order) {
      const rects = this.rects[c];
      if (rects.length === 0) continue;
      g.fillStyle = colors[c];
      for (let r = 0; r < rects.length; r += 4) g.fillRect(rects[r], rects[r + 1], rects[r + 2], rects[r + 3]);
    }
  }

  #flush(color: number): void {
    if (Number.isNaN(this.#from[color])) return;
    this.rects[color].push(this.#from[color], this.#y[color], this.#to[color] - this.#from[color], this.#h[color]);
    this.#from[color] = NaN;
  }
}
