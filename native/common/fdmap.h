/* fd → per-fd shim state: a fixed array of states found by open addressing, sized once. */
#ifndef IO_REACTOR_FDMAP_H
#define IO_REACTOR_FDMAP_H
#include <stdint.h>
#include "assert.h"

typedef struct fdstate {
  int fd, kind, slot, gen;
  unsigned interest; /* readiness: READ/WRITE the app asked for */
  int watched;       /* the mechanism watches it */
  unsigned watched_bits;
  int always_ready, always_index, poll_index;
  int read_head, read_tail, write_head, write_tail; /* accepts, and sends, each a context */
  int write_done;                                   /* bytes of the head write already sent */
  int reads_armed; /* reads the core armed; each takes a provided buffer when data comes */
  int starved;     /* data came and the ring was empty: wait for REQ_RESUME */
  int probe;       /* IOCP: the zero-byte receive in flight (its probe index), or -1 */
} fdstate;

typedef struct fdmap {
  fdstate *states;
  int32_t *free_list, free_count, capacity;
  int32_t *buckets; /* state index + 1; 0 is empty */
  uint32_t bucket_mask, bucket_shift;
} fdmap;

int fdmap_open(fdmap *m, int capacity);
void fdmap_close(fdmap *m);
fdstate *fdmap_find(fdmap *m, int fd);
fdstate *fdmap_insert(fdmap *m, int fd); /* NULL when full */
void fdmap_erase(fdmap *m, fdstate *f);
static inline uint32_t fdmap_index(const fdmap *m, const fdstate *f) {
  SHIM_ASSERT(f >= m->states && f < m->states + m->capacity);
  return (uint32_t)(f - m->states);
}
#endif
