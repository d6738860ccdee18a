/* fd → fdstate, O(1): linear probing with backward-shift deletion (no tombstones). */
#include <stdlib.h>
#include <string.h>
#include "fdmap.h"

/* fds are small integers handed out lowest first: each below half the bucket count has its own
 * even bucket, so a server's fds sit side by side in a few cache lines and pages (a multiplicative
 * hash spread them over the whole array, a cache and TLB miss per lookup), while the odd buckets
 * between them stay free: a lookup that misses, or an fd that collides (high bits fold in), ends
 * within a probe or two instead of scanning a run of consecutive fds. */
static uint32_t home(const fdmap *m, int fd) {
  uint32_t x = (uint32_t)fd, bits = 32 - m->bucket_shift;
  return ((x ^ (x >> (bits - 1))) << 1) & m->bucket_mask;
}

/* States in use, within the capacity; buckets at most half full, so every probe ends. */
static void check_load(const fdmap *m) {
  SHIM_ASSERT(m->free_count >= 0 && m->free_count <= m->capacity);
  SHIM_ASSERT((uint32_t)m->capacity * 2 <= m->bucket_mask + 1);
}

int fdmap_open(fdmap *m, int capacity) {
  SHIM_ASSERT(capacity > 0);
  uint32_t buckets = 2;
  int bits = 1;
  while (buckets < (uint32_t)capacity * 2) {
    buckets <<= 1;
    bits++;
  }
  m->capacity = capacity;
  m->states = calloc((size_t)capacity, sizeof(fdstate));
  m->free_list = malloc((size_t)capacity * sizeof(int32_t));
  m->buckets = calloc(buckets, sizeof(int32_t));
  if (!m->states || !m->free_list || !m->buckets) {
    fdmap_close(m);
    return -1;
  }
  m->bucket_mask = buckets - 1;
  m->bucket_shift = 32 - bits;
  for (int i = 0; i < capacity; i++) m->free_list[i] = capacity - 1 - i;
  m->free_count = capacity;
  check_load(m);
  return 0;
}

void fdmap_close(fdmap *m) {
  free(m->states);
  free(m->free_list);
  free(m->buckets);
  memset(m, 0, sizeof *m);
}

fdstate *fdmap_find(fdmap *m, int fd) {
  for (uint32_t i = home(m, fd);; i = (i + 1) & m->bucket_mask) {
    int32_t e = m->buckets[i];
    if (e == 0) return NULL;
    if (m->states[e - 1].fd == fd) return &m->states[e - 1];
  }
}

fdstate *fdmap_insert(fdmap *m, int fd) {
  SHIM_ASSERT(fd >= 0 && fdmap_find(m, fd) == NULL); /* the core refuses a duplicate add */
  if (m->free_count == 0) return NULL;
  int32_t idx = m->free_list[--m->free_count];
  fdstate *f = &m->states[idx];
  memset(f, 0, sizeof *f);
  f->fd = fd;
  f->read_head = f->read_tail = f->write_head = f->write_tail = -1;
  f->always_index = f->poll_index = f->probe = -1;
  uint32_t i = home(m, fd);
  while (m->buckets[i] != 0) i = (i + 1) & m->bucket_mask;
  m->buckets[i] = idx + 1;
  check_load(m);
  return f;
}

void fdmap_erase(fdmap *m, fdstate *f) {
  int32_t idx = (int32_t)fdmap_index(m, f);
  SHIM_ASSERT(f->fd >= 0 && fdmap_find(m, f->fd) == f);
  uint32_t i = home(m, f->fd);
  while (m->buckets[i] != idx + 1) i = (i + 1) & m->bucket_mask;
  for (uint32_t j = (i + 1) & m->bucket_mask;; j = (j + 1) & m->bucket_mask) {
    int32_t e = m->buckets[j];
    if (e == 0) break;
    uint32_t k = home(m, m->states[e - 1].fd);
    int stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
    if (stays) continue;
    m->buckets[i] = e;
    i = j;
  }
  m->buckets[i] = 0;
  f->fd = -1;
  m->free_list[m->free_count++] = idx;
  check_load(m);
}
