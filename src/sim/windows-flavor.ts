// Which Windows a simulated kernel answers as. Its own file: the kernel holds it and the
// completion ports (iocp.ts) act on it, and iocp.ts imports the kernel.
/**
 * What a pending read completes with when the app closes its socket: real Windows reports
 * ERROR_OPERATION_ABORTED (995), Wine reports 676. A kernel answers as one of them, all its life.
 */
export type WindowsFlavor = 'windows' | 'wine';
export const WINDOWS_FLAVORS: readonly WindowsFlavor[] = ['windows', 'wine'];
