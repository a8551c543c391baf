/*
 * deadband.h - which telemetry is worth a row: a report is written when
 * any value moved past its dead-band since the node's last written row,
 * when its status, energy source, models or GPU count changed, or when
 * the node's last written row is a keyframe interval old (valid time),
 * so the history of a steady node is one row per interval rather than
 * one per report.
 *
 * The decision and the memory are split (check, then commit) so a row
 * refused downstream (the store's buffer was full) does not count as
 * written. One thread (the store's owner) uses a dead-band; it owns its
 * map.
 */
#ifndef ARC_STORE_DEADBAND_H
#define ARC_STORE_DEADBAND_H

#include "store/store.h"

typedef struct arc_deadband arc_deadband_t;

/* Thresholds and interval from the store's config (copied). NULL when
 * out of memory. */
arc_deadband_t *arc_deadband_new(const arc_store_config_t *cfg);
void arc_deadband_free(arc_deadband_t *db);

/*
 * What to write for this report: ARC_STORE_TELEMETRY (moved past the
 * dead-band, changed, the node's first row, or a late report older than
 * the last written one), ARC_STORE_KEYFRAME (interval due), or -1
 * (nothing).
 */
int arc_deadband_check(const arc_deadband_t *db,
                       const arc_store_node_row_t *row);

/* Remembers `row` as the node's last written row (unless it is older
 * than the one remembered). ARC_ERR_NOMEM. */
arc_status_t arc_deadband_commit(arc_deadband_t *db,
                                 const arc_store_node_row_t *row);

#endif
