// Names of the portable error codes events carry, in the core's order (assembly/codes.ts).
export const PORTABLE_CODES = [
  '', 'EPERM', 'ENOENT', 'EINTR', 'EIO', 'EBADF', 'EAGAIN', 'ENOMEM', 'EACCES', 'EFAULT', 'EEXIST',
  'EINVAL', 'ENFILE', 'EMFILE', 'ENOSPC', 'EPIPE', 'ENOTSOCK', 'EMSGSIZE', 'EOPNOTSUPP', 'EADDRINUSE',
  'EADDRNOTAVAIL', 'ENETDOWN', 'ENETUNREACH', 'ENETRESET', 'ECONNABORTED', 'ECONNRESET', 'ENOBUFS',
  'EISCONN', 'ENOTCONN', 'ESHUTDOWN', 'ETIMEDOUT', 'ECONNREFUSED', 'EHOSTDOWN', 'EHOSTUNREACH',
  'EALREADY', 'EINPROGRESS', 'ECANCELED', 'EOF', 'EUNKNOWN',
] as const;

export type PortableCode = (typeof PORTABLE_CODES)[number];

export function portableCodeName(code: number): PortableCode {
  return PORTABLE_CODES[code] ?? 'EUNKNOWN';
}
