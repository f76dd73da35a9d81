/* SPDX-License-Identifier: Apache-2.0
 *
 * Arenas: bump allocation from a list of chunks, freed all at once. Used for allocations that
 * share a lifetime (a statement's plan, a batch's scratch, a run). Every result is 16-byte
 * aligned. A request too big to share a chunk gets a chunk of its own, placed behind the
 * current one so the current chunk keeps serving small requests.
 */
#include "core/core.h"

#include <stdalign.h>

#define ARENA_ALIGN 16
#define ARENA_DEFAULT_CHUNK (64 * 1024)

struct tn_arena_chunk {
    tn_arena_chunk *next; /* older chunk */
    size_t size;          /* usable bytes in data */
    size_t used;          /* bytes handed out from data */
    alignas(ARENA_ALIGN) unsigned char data[];
};

/* Initialises an empty arena; chunk_size 0 = 64 KiB. Allocates nothing, so it cannot fail. */
void tn_arena_init(tn_arena *arena, size_t chunk_size)
{
    arena->head = NULL;
    arena->chunk_size = chunk_size ? chunk_size : ARENA_DEFAULT_CHUNK;
    arena->bytes_used = 0;
}

static tn_arena_chunk *chunk_new(size_t size)
{
    if (size > SIZE_MAX - sizeof(tn_arena_chunk))
        return NULL;
    /* The chunk header is a multiple of 16 bytes, so data is 16-aligned when the chunk is. */
    tn_arena_chunk *chunk = tn_aligned_alloc(ARENA_ALIGN, sizeof(tn_arena_chunk) + size);
    if (!chunk)
        return NULL;
    chunk->next = NULL;
    chunk->size = size;
    chunk->used = 0;
    return chunk;
}

/* Returns size bytes, 16-byte aligned, valid until the next reset or free; NULL when out of
 * memory. Size 0 returns a valid unique pointer. */
void *tn_arena_alloc(tn_arena *arena, size_t size)
{
    if (size > SIZE_MAX - ARENA_ALIGN)
        return NULL;
    size_t rounded = size ? (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1) : ARENA_ALIGN;
    if (arena->chunk_size == 0) /* a zeroed arena that was never initialised */
        arena->chunk_size = ARENA_DEFAULT_CHUNK;
    tn_arena_chunk *head = arena->head;
    if (head && head->size - head->used >= rounded) {
        void *p = head->data + head->used;
        head->used += rounded;
        arena->bytes_used += size;
        return p;
    }
    if (rounded > arena->chunk_size / 4) {
        /* Big: its own chunk, exactly sized, behind the head. */
        tn_arena_chunk *big = chunk_new(rounded);
        if (!big)
            return NULL;
        big->used = rounded;
        if (head) {
            big->next = head->next;
            head->next = big;
        } else {
            arena->head = big;
        }
        arena->bytes_used += size;
        return big->data;
    }
    tn_arena_chunk *chunk = chunk_new(arena->chunk_size);
    if (!chunk)
        return NULL;
    chunk->next = head;
    arena->head = chunk;
    chunk->used = rounded;
    arena->bytes_used += size;
    return chunk->data;
}

/* As tn_arena_alloc, zero-filled. */
void *tn_arena_calloc(tn_arena *arena, size_t size)
{
    void *p = tn_arena_alloc(arena, size);
    if (p && size)
        memset(p, 0, size);
    return p;
}

/* NUL-terminated copy of the first n bytes of s (embedded NULs are copied). NULL on OOM. */
char *tn_arena_strndup(tn_arena *arena, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *copy = tn_arena_alloc(arena, n + 1);
    if (!copy)
        return NULL;
    if (n)
        memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

/* NUL-terminated copy of s. NULL on OOM. */
char *tn_arena_strdup(tn_arena *arena, const char *s)
{
    return tn_arena_strndup(arena, s, strlen(s));
}

/* Forgets every allocation. One standard-size chunk is kept for reuse (big chunks are freed so
 * that one large request does not pin memory for the arena's lifetime). */
void tn_arena_reset(tn_arena *arena)
{
    tn_arena_chunk *keep = NULL;
    tn_arena_chunk *c = arena->head;
    while (c) {
        tn_arena_chunk *next = c->next;
        if (!keep && c->size == arena->chunk_size) {
            keep = c;
        } else {
            tn_free(c);
        }
        c = next;
    }
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
    }
    arena->head = keep;
    arena->bytes_used = 0;
}

/* Frees every chunk; the arena is then empty and may be used again. Accepts an arena that was
 * never used (initialised or zeroed). */
void tn_arena_free(tn_arena *arena)
{
    tn_arena_chunk *c = arena->head;
    while (c) {
        tn_arena_chunk *next = c->next;
        tn_free(c);
        c = next;
    }
    arena->head = NULL;
    arena->bytes_used = 0;
}
