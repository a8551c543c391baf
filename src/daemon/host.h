/*
 * host.h - what an agent on a real host can measure about its site:
 * battery charge from /sys/class/power_supply and GPUs through NVML,
 * loaded at run time so that hosts without NVIDIA drivers still run.
 *
 * One idea: every probe is optional. What a host cannot tell keeps the
 * value the caller filled in, and the probe says what it found once, at
 * open.
 *
 * Threads: the agent's main thread. Memory: the probe owns the NVML
 * handle (dlopen) and closes it in arc_host_close.
 */
#ifndef ARC_DAEMON_HOST_H
#define ARC_DAEMON_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "state/mesh.h"

typedef struct arc_host arc_host_t;

/* Opens the probes (never fails for a missing battery or GPU). NULL
 * when out of memory. */
arc_host_t *arc_host_open(void);
void arc_host_close(arc_host_t *host);

/* True when NVML was found and reports at least one GPU. */
bool arc_host_has_gpus(const arc_host_t *host);

/*
 * Overwrites the fields of *t the host can measure: battery_soc (and
 * energy source battery when discharging), gpus_free, gpu_util,
 * gpu_mem_used_gb and power_kw from the GPUs. `busy_gpus` are held by
 * requests this agent runs.
 */
void arc_host_measure(arc_host_t *host, uint32_t busy_gpus,
                      arc_telemetry_t *t);

#endif
