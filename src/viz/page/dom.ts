// The page's elements by id (src/viz/page/index.html), typed.
export function el<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`visualizer page: #${id} is missing from index.html`);
  return found as T;
}

export function showError(message: string): void {
  el('error').textContent = message;
}
