// What a client typed, made safe to relay and log: terminal escape sequences and control
// characters are removed, so no client can recolour, move, retitle or clear another's terminal
// (or the operator's, reading the log).

// ESC [ params intermediates final (CSI), ESC ] ... BEL or ESC \ (OSC), ESC P/X/^/_ ... ESC \
// (DCS, SOS, PM, APC), and two-byte ESC sequences. An unterminated string runs to the line's end.
const ESCAPE_SEQUENCE = /\x1b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_](?:[^\x07\x1b]|\x1b(?!\\))*(?:\x07|\x1b\\)?|[ -/]*[0-~]?)/g;
// C0, DEL and C1 controls (C1 0x9b is CSI on some terminals), and the bidi controls that
// reorder what follows them on screen.
const CONTROL = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/** `text` without escape sequences and control characters; a tab becomes a space. */
export function printable(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(/\t/g, ' ').replace(CONTROL, '');
}
