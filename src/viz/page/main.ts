// The visualizer page: shows a trace from its address (?trace=URL, ?live, ?scenario=&seed=&model=&bug=),
// a file the user opens or a seed it runs, and keeps what it shows in the address.
import '../browser/immediate.js';
import { instantiateCore, tableRows, TABLE } from '../../core.js';
import { App } from './app.js';
import { TraceModel } from './model.js';
import { Sidebar } from './sidebar.js';
import { bindControls } from './controls.js';
import { fetchTrace, readTraceFile, followLive } from './sources.js';
import { readState } from './url.js';
import { bindSimulation } from './simulate.js';
import { el, showError } from './dom.js';
import type { Tables } from './explain.js';

async function loadTables(): Promise<Tables> {
  // The smallest core there is: only its translation tables are read.
  const core = (await instantiateCore({ poolSize: 1, bufferSize: 64, maxSockets: 1 }))!;
  return {
    epoll: tableRows(core, TABLE.epoll),
    poll: tableRows(core, TABLE.poll),
    errno: tableRows(core, TABLE.errno),
    win32: tableRows(core, TABLE.win32),
  };
}

/** Opens `file` with `use`, or says why it is not a trace. */
async function openFile(file: File, use: (model: TraceModel) => void): Promise<void> {
  try {
    use(TraceModel.of(await readTraceFile(file)));
    showError('');
  } catch (e) {
    showError((e as Error).message);
  }
}

/** A trace file chosen in input #id. */
function onFile(id: string, use: (model: TraceModel) => void): void {
  const input = el<HTMLInputElement>(id);
  input.onchange = () => {
    const file = input.files?.[0];
    if (file) void openFile(file, use);
  };
}

/** A trace file dropped anywhere on the page opens as the trace shown. */
function onDrop(use: (model: TraceModel) => void): void {
  const body = document.body;
  let depth = 0;
  const files = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;
  body.addEventListener('dragenter', (e) => {
    if (files(e)) {
      depth++;
      body.classList.add('dragging');
    }
  });
  body.addEventListener('dragleave', () => {
    if (--depth <= 0) {
      depth = 0;
      body.classList.remove('dragging');
    }
  });
  body.addEventListener('dragover', (e) => {
    if (files(e)) e.preventDefault();
  });
  body.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    body.classList.remove('dragging');
    const file = e.dataTransfer?.files[0];
    if (file) void openFile(file, use);
  });
}

async function start(): Promise<void> {
  const app = new App();
  const sidebar = new Sidebar(app);
  app.onModelChanged = () => sidebar.update();
  bindControls(app);
  const state = readState(location.search);
  app.tables = await loadTables();
  const open = (model: TraceModel) => {
    app.source = {};
    app.show(model);
    sidebar.reset();
  };
  onFile('file', open);
  onDrop(open);
  onFile('compare-file', (model) => app.setCompared(model));
  const simulate = bindSimulation(app, () => sidebar.reset());
  if (state.live) {
    // A live server's own run: nothing to simulate or replay from here.
    el('sim-controls').hidden = true;
    app.source = { live: true };
    app.following = state.at === undefined;
    app.show(new TraceModel());
    followLive('/live', {
      reactor: (info) => app.model.addReactor(info),
      records: (records) => {
        for (const r of records) app.model.push(r);
        app.grew();
      },
      state: (connected) =>
        showError(connected ? '' : 'The live feed is disconnected: is the server (npm start) still running? Reconnecting…'),
    });
  } else if (state.scenario) {
    await simulate(state);
  } else if (state.trace) {
    app.source = { trace: state.trace };
    app.show(TraceModel.of(await fetchTrace(state.trace)), state);
  } else {
    app.show(new TraceModel());
  }
  sidebar.reset();
  document.body.dataset.ready = 'true';
}

start().catch((e: Error) => showError(e.message));
