/*
 * daemon.h - arcnetd in the `all` role: the simulated mesh, the router,
 * the event log and the API composed in one process on one event loop.
 *
 * The daemon owns the mesh, the event log and its detector, the
 * per-zone rates, the in-process bus that carries the simulated sites'
 * telemetry to the mesh, and the API; the engine owns the router and
 * the queue and borrows the mesh. A timer on the lws loop fires every 100 ms of
 * real time and advances the simulation by that much times the time
 * scale, then pushes the step's changes to stream clients. Nothing else
 * runs: one thread owns everything, so nothing locks.
 */
#ifndef ARC_DAEMON_H
#define ARC_DAEMON_H

#include <stdint.h>

#include "api/auth.h"
#include "daemon/config.h"

typedef struct arc_daemon arc_daemon_t;

/* Real time between two simulation steps. */
#define ARC_DAEMON_STEP_US (100 * 1000)

/*
 * Builds everything and binds the API's port. `auth` is copied.
 * ARC_ERR_IO when the port cannot be bound, ARC_ERR_INVALID for a
 * config the engine refuses, ARC_ERR_NOMEM.
 */
arc_status_t arc_daemon_new(const arc_config_t *cfg, const arc_auth_t *auth,
                            arc_daemon_t **out);

/* The port the API listens on. */
uint16_t arc_daemon_port(const arc_daemon_t *d);

/* Runs the loop until arc_daemon_stop. ARC_OK on a clean stop. */
arc_status_t arc_daemon_run(arc_daemon_t *d);

/* Asks the loop to stop. Safe in a signal handler. */
void arc_daemon_stop(arc_daemon_t *d);

/* Closes every connection and frees everything. */
void arc_daemon_free(arc_daemon_t *d);

#endif
