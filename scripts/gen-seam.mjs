// Derives assembly/seam.ts, native/common/seam.h and src/seam.ts from scripts/seam-definition.mjs.
// `node scripts/gen-seam.mjs` writes them; `--check` only reports the ones that differ (exit 1).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as def from './seam-definition.mjs';

const root = new URL('..', import.meta.url).pathname;
const HEADER = 'Generated from scripts/seam-definition.mjs by scripts/gen-seam.mjs: do not edit.';
const ENTRY_INTS = def.ENTRIES.request.length;
for (const [name, fields] of Object.entries(def.ENTRIES)) {
  if (fields.length !== ENTRY_INTS)
    throw new Error(`seam-definition: the ${name} entry has ${fields.length} fields, the others ${ENTRY_INTS}`);
}

const snake = (name) => name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
const camel = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
/** ERR_EXIST for EEXIST, as the core has always named its return codes. */
const coreErrorName = (name) => `ERR_${name.startsWith('E') ? name.slice(1) : name}`;
/** .clang-format's ColumnLimit: the generated header must pass npm run lint:c as it is. */
const C_COLUMNS = Number(/ColumnLimit:\s*(\d+)/.exec(readFileSync(join(root, '.clang-format'), 'utf8'))[1]);
const hex = (n) => `0x${n.toString(16).padStart(3, '0')}`;

function assemblyScript() {
  const out = [`// ${HEADER}`, '// The numbers the core shares with the shim and the TypeScript layer.', ''];
  out.push(`export const ENTRY_INTS: i32 = ${ENTRY_INTS};`, `export const ENTRY_BYTES: usize = ${ENTRY_INTS * 4};`);
  for (const [entry, fields] of Object.entries(def.ENTRIES)) {
    out.push(`// ${entry} entry: byte offsets of its fields`);
    fields.forEach((f, i) => out.push(`export const ${entry.toUpperCase()}_${f.toUpperCase()}: usize = ${i * 4};`));
  }
  out.push('// The provided-buffer ring: byte offsets in its header and in each entry');
  out.push(
    `export const PROVIDED_HEADER_BYTES: usize = ${def.PROVIDED.header.length * 4};`,
    `export const PROVIDED_ENTRY_BYTES: usize = ${def.PROVIDED.entry.length * 4};`,
  );
  def.PROVIDED.header.forEach((f, i) => out.push(`export const PROVIDED_${f.toUpperCase()}: usize = ${i * 4};`));
  def.PROVIDED.entry.forEach((f, i) => out.push(`export const PROVIDED_ENTRY_${f.toUpperCase()}: usize = ${i * 4};`));
  for (const [, prefix, values] of def.ENUMS) {
    out.push(...Object.entries(values).map(([n, v]) => `export const ${prefix}${snake(n)}: i32 = ${v};`));
  }
  out.push('// Return codes of core calls; src/errors.ts turns them into ReactorError.', 'export const OK: i32 = 0;');
  out.push(...Object.entries(def.CORE_ERRORS).map(([n, v]) => `export const ${coreErrorName(n)}: i32 = ${v};`));
  out.push('// Portable error codes carried by events.');
  out.push(...def.PORTABLE_CODES.map((n, i) => `export const C_${n}: i32 = ${i};`));
  out.push('// Limits.');
  out.push(...Object.entries(def.LIMITS).map(([n, v]) => `export const ${n}: i32 = ${v};`));
  out.push('// OS numbers.');
  out.push(...Object.entries(def.ERRNO).map(([n, v]) => `export const ERRNO_${n}: i32 = ${v};`));
  out.push(...Object.entries(def.WIN32).map(([n, v]) => `export const WIN32_${n}: i32 = ${v};`));
  out.push(...Object.entries({ ...def.EPOLL, ...def.POLL }).map(([n, v]) => `export const ${n}: i32 = ${hex(v)};`));
  return out.join('\n') + '\n';
}

function cHeader() {
  const out = [`/* ${HEADER}`, ' * The core⇄shim seam: entry layouts and the numbers shared with assembly/ and src/. */'];
  out.push('#ifndef IO_REACTOR_SEAM_H', '#define IO_REACTOR_SEAM_H', '#include <stdint.h>', '');
  out.push(`enum { SEAM_ENTRY_BYTES = ${ENTRY_INTS * 4} };`);
  for (const [, prefix, values] of def.ENUMS) {
    // One line while it fits the C style's column limit, else one member a line (as clang-format would).
    const members = Object.entries(values).map(([n, v]) => `${prefix}${snake(n)} = ${v}`);
    const line = `enum { ${members.join(', ')} };`;
    out.push(
      line.length <= C_COLUMNS ? line : ['enum {', ...members.map((m, i) => `  ${m}${i < members.length - 1 ? ',' : ''}`), '};'].join('\n'),
    );
  }
  const list = (prefix, values, show = String) => Object.entries(values).map(([n, v]) => `  ${prefix}${n} = ${show(v)},`);
  out.push('', "/* Linux errno numbers, whatever the build's own errno.h says. */", 'enum {', ...list('OS_', def.ERRNO), '};');
  out.push('/* Win32 and WSA codes. */', 'enum {', ...list('OS_WIN_', def.WIN32), '};');
  out.push('/* Readiness bits. */', 'enum {', ...list('OS_', { ...def.EPOLL, ...def.POLL }, hex), '};');
  for (const entry of ['request', 'result']) {
    out.push('', `typedef struct seam_${entry} {`, `  int32_t ${def.ENTRIES[entry].join(', ')};`, `} seam_${entry};`);
    out.push(`typedef char seam_${entry}_is_an_entry[sizeof(seam_${entry}) == SEAM_ENTRY_BYTES ? 1 : -1];`);
  }
  out.push(
    '',
    '/* The provided-buffer ring: the core lends its free buffers before each wait; the shim takes',
    ' * them in order, only when the OS has data for an armed read. */',
  );
  out.push('typedef struct seam_provided_entry {', `  int32_t ${def.PROVIDED.entry.join(', ')};`, '} seam_provided_entry;');
  out.push(
    'typedef struct seam_provided {',
    `  int32_t ${def.PROVIDED.header.join(', ')};`,
    '  seam_provided_entry entries[];',
    '} seam_provided;',
  );
  out.push('', '#endif');
  return out.join('\n') + '\n';
}

function typeScript() {
  const object = (values, show = String) =>
    `{ ${Object.entries(values)
      .map(([n, v]) => `${n}: ${show(v)}`)
      .join(', ')} } as const`;
  const out = [`// ${HEADER}`, '// The numbers src/ shares with the core (assembly/) and the shim (native/).', ''];
  out.push('/** One request/result/event entry: this many i32. */', `export const ENTRY_INTS = ${ENTRY_INTS};`);
  for (const [entry, fields] of Object.entries(def.ENTRIES)) {
    out.push(`/** Where each field of ${entry === 'event' ? 'an' : 'a'} ${entry} entry is, in i32 from the entry's start. */`);
    out.push(`export const ${entry.toUpperCase()}_FIELD = ${object(Object.fromEntries(fields.map((f, i) => [camel(f), i])))};`);
  }
  out.push('/** The provided-buffer ring: its header, then entries, each field in i32 from its start. */');
  out.push(`export const PROVIDED_FIELD = ${object(Object.fromEntries(def.PROVIDED.header.map((f, i) => [f, i])))};`);
  out.push(`export const PROVIDED_ENTRY_FIELD = ${object(Object.fromEntries(def.PROVIDED.entry.map((f, i) => [f, i])))};`);
  out.push(
    `export const PROVIDED_HEADER_INTS = ${def.PROVIDED.header.length};`,
    `export const PROVIDED_ENTRY_INTS = ${def.PROVIDED.entry.length};`,
  );
  for (const [name, , values] of def.ENUMS) out.push(`export const ${name} = ${object(values)};`);
  out.push(`export const CODES_ERRNO = ${def.ENUMS.find(([n]) => n === 'CODES')[2].errno};`);
  out.push(`export const CODES_WIN32 = ${def.ENUMS.find(([n]) => n === 'CODES')[2].win32};`);
  const mechanisms = def.ENUMS.find(([n]) => n === 'MECHANISM')[2];
  const spaces = Object.entries(mechanisms)
    .map(([m]) => `[${mechanisms[m]}]: CODES.${def.MECHANISM_CODES[m]}`)
    .join(', ');
  out.push("/** The numbering of the OS codes a mechanism's shim reports. */");
  out.push(`const CODE_SPACES: Record<number, number> = { ${spaces} };`);
  out.push('export const codeSpaceOf = (mechanism: number): number => CODE_SPACES[mechanism];');
  out.push('/** Core return codes (negative) and the ReactorError code each becomes. */');
  const reactorErrors = Object.entries(def.CORE_ERRORS).filter(([n]) => n.startsWith('E'));
  out.push(`export const CORE_ERRORS: Record<number, string> = { ${reactorErrors.map(([n, v]) => `[${v}]: '${n}'`).join(', ')} };`);
  out.push(...Object.entries(def.CORE_ERRORS).map(([n, v]) => `export const ${coreErrorName(n)} = ${v};`));
  out.push('/** Names of the portable error codes events carry, by number (0: none). */');
  out.push(`export const PORTABLE_CODES = [${def.PORTABLE_CODES.map((n) => `'${n === 'NONE' ? '' : n}'`).join(', ')}] as const;`);
  out.push(...Object.entries(def.LIMITS).map(([n, v]) => `export const ${n} = ${v};`));
  out.push(`export const ERRNO = ${object(def.ERRNO)};`);
  out.push(`export const WIN32 = ${object(def.WIN32)};`);
  out.push(`export const EPOLL = ${object(def.EPOLL, hex)};`);
  out.push(`export const POLL = ${object(def.POLL, hex)};`);
  return out.join('\n') + '\n';
}

const outputs = { 'assembly/seam.ts': assemblyScript(), 'native/common/seam.h': cHeader(), 'src/seam.ts': typeScript() };
const check = process.argv.includes('--check');
let differ = 0;
for (const [path, text] of Object.entries(outputs)) {
  const full = join(root, path);
  let now = '';
  try {
    now = readFileSync(full, 'utf8');
  } catch {
    /* not generated yet */
  }
  if (now === text) continue;
  if (check) {
    console.error(
      `${path} differs from what scripts/gen-seam.mjs derives from scripts/seam-definition.mjs: edit the definition, then run node scripts/gen-seam.mjs`,
    );
    differ++;
  } else {
    writeFileSync(full, text);
  }
}
process.exitCode = differ > 0 ? 1 : 0;
