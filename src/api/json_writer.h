/*
 * json_writer.h - a small streaming JSON writer into a growable buffer.
 *
 * Responses and stream frames are written straight into bytes, with no
 * tree in between: a tree costs more per response than the whole HTTP
 * stack. The writer places commas itself, escapes strings (control
 * characters as \uXXXX, invalid UTF-8 replaced by U+FFFD), prints
 * doubles with 9 significant digits (NaN and infinities as null), and
 * tracks nesting so a misuse (a key inside an array, a value without a
 * key inside an object, unbalanced closes) makes arc_jw_finish fail
 * instead of producing broken text.
 *
 * The buffer can keep `headroom` free bytes before the text, so a
 * caller can put protocol headers in front (libwebsockets wants LWS_PRE
 * bytes before anything it writes). Out of memory is sticky: every call
 * after it does nothing and arc_jw_finish reports ARC_ERR_NOMEM.
 *
 * Any thread may use a writer; a writer is used by one thread at a time.
 * The writer owns its buffer; arc_jw_free releases it.
 */
#ifndef ARC_JSON_WRITER_H
#define ARC_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arc.h"

#define ARC_JW_MAX_DEPTH 64

typedef struct arc_jw {
    char *buf;          /* headroom bytes, then the text, then a NUL */
    size_t headroom;    /* free bytes kept before the text */
    size_t len;         /* bytes of text written */
    size_t cap;         /* bytes allocated after the headroom */
    uint64_t is_array;  /* bit d set: the container at depth d is [ ] */
    uint32_t depth;     /* open containers */
    bool need_comma;    /* a value was written at this depth */
    bool after_key;     /* a key was written, its value is due */
    bool started;       /* a top-level value was begun */
    bool oom;           /* an allocation failed */
    bool misuse;        /* a call broke the grammar */
} arc_jw_t;

/* Sets up an empty writer keeping `headroom` bytes before the text. */
void arc_jw_init(arc_jw_t *w, size_t headroom);

/* Forgets the text (keeps the buffer) so the writer can be reused. */
void arc_jw_reset(arc_jw_t *w);

/* Releases the buffer; the writer may be initialised again. */
void arc_jw_free(arc_jw_t *w);

void arc_jw_obj_open(arc_jw_t *w);
void arc_jw_obj_close(arc_jw_t *w);
void arc_jw_arr_open(arc_jw_t *w);
void arc_jw_arr_close(arc_jw_t *w);

/* A key inside an object; `key` is escaped like any string. */
void arc_jw_key(arc_jw_t *w, const char *key);

/* Values. A NULL string is written as null. */
void arc_jw_str(arc_jw_t *w, const char *s);
void arc_jw_strn(arc_jw_t *w, const char *s, size_t n);
void arc_jw_int(arc_jw_t *w, int64_t v);
void arc_jw_uint(arc_jw_t *w, uint64_t v);
void arc_jw_double(arc_jw_t *w, double v);
void arc_jw_bool(arc_jw_t *w, bool v);
void arc_jw_null(arc_jw_t *w);

/*
 * Appends already-serialised JSON as one value. The caller vouches that
 * `json` is one complete, valid JSON value.
 */
void arc_jw_raw(arc_jw_t *w, const char *json, size_t n);

/* Key and value in one call. */
void arc_jw_kstr(arc_jw_t *w, const char *key, const char *s);
void arc_jw_kint(arc_jw_t *w, const char *key, int64_t v);
void arc_jw_kuint(arc_jw_t *w, const char *key, uint64_t v);
void arc_jw_kdouble(arc_jw_t *w, const char *key, double v);
void arc_jw_kbool(arc_jw_t *w, const char *key, bool v);

/*
 * Checks the text is one complete value: ARC_OK, ARC_ERR_NOMEM after an
 * allocation failure, ARC_ERR_INVALID after misuse or when containers
 * are still open or nothing was written.
 */
arc_status_t arc_jw_finish(const arc_jw_t *w);

/* The text (NUL-terminated) and its length. */
const char *arc_jw_text(const arc_jw_t *w);
size_t arc_jw_len(const arc_jw_t *w);

/* The start of the buffer: `headroom` bytes before the text. */
char *arc_jw_base(arc_jw_t *w);

#endif
