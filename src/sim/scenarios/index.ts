// The scenarios the sweep CLI and the visualizer offer, by name.
import type { Scenario } from '../scenario.js';
import { chat } from './chat.js';
import { echo } from './echo.js';
import { upload } from './upload.js';
import { kv } from './kv.js';

export const scenarios: Record<string, Scenario> = { chat, echo, upload, kv };
