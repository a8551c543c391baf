/*
 * format_history.h - `arcnet history`: a node's bucketed history (the
 * reply of GET /v1/nodes/{id}/history) as a table, one line a bucket.
 *
 * Any thread; output goes to the caller's buffer.
 */
#ifndef ARC_CLI_FORMAT_HISTORY_H
#define ARC_CLI_FORMAT_HISTORY_H

#include <stddef.h>

#include "cli/buf.h"
#include "core/arc.h"

/* ARC_ERR_INVALID when the reply has no "buckets" array. */
arc_status_t arc_cli_format_history(const char *json, size_t len,
                                    arc_cli_buf_t *out);

#endif
