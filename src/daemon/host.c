/*
 * host.c - battery and GPU probes of a real host (see host.h).
 *
 * One idea: NVML is reached through dlopen("libnvidia-ml.so.1") and a
 * handful of symbols looked up by name, declared here with the types the
 * library documents, so the build needs no NVIDIA headers and a host
 * without the driver simply reports no GPUs.
 *
 * Threads: the agent's main thread. Memory: the probe owns the library
 * handle.
 */
#include "daemon/host.h"

#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/types.h"
#include "daemon/log.h"

#define PSU_DIR "/sys/class/power_supply"

typedef struct nvml_util {
    unsigned int gpu, memory;
} nvml_util_t;

typedef struct nvml_mem {
    unsigned long long total, free, used;
} nvml_mem_t;

typedef int (*nvml_init_fn)(void);
typedef int (*nvml_count_fn)(unsigned int *);
typedef int (*nvml_handle_fn)(unsigned int, void **);
typedef int (*nvml_util_fn)(void *, nvml_util_t *);
typedef int (*nvml_mem_fn)(void *, nvml_mem_t *);
typedef int (*nvml_power_fn)(void *, unsigned int *);

struct arc_host {
    void *nvml;
    nvml_handle_fn handle;
    nvml_util_fn util;
    nvml_mem_fn mem;
    nvml_power_fn power;
    unsigned int gpus;
    char battery[256]; /* the battery's directory, or "" */
};

/* Reads a small sysfs file into buf; false when absent. */
static bool read_file(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    size_t n;

    if (f == NULL) {
        return false;
    }
    n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    return n > 0;
}

static void find_battery(arc_host_t *h)
{
    DIR *d = opendir(PSU_DIR);
    struct dirent *e;
    char path[512], type[32];

    while (d != NULL && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof(path), PSU_DIR "/%.200s/type", e->d_name);
        if (read_file(path, type, sizeof(type)) &&
            strcmp(type, "Battery") == 0) {
            snprintf(h->battery, sizeof(h->battery), PSU_DIR "/%.200s",
                     e->d_name);
            break;
        }
    }
    if (d != NULL) {
        closedir(d);
    }
}

static void open_nvml(arc_host_t *h)
{
    nvml_init_fn init;
    nvml_count_fn count;

    h->nvml = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (h->nvml == NULL) {
        return;
    }
    init = (nvml_init_fn)dlsym(h->nvml, "nvmlInit_v2");
    count = (nvml_count_fn)dlsym(h->nvml, "nvmlDeviceGetCount_v2");
    h->handle = (nvml_handle_fn)dlsym(h->nvml,
                                      "nvmlDeviceGetHandleByIndex_v2");
    h->util = (nvml_util_fn)dlsym(h->nvml, "nvmlDeviceGetUtilizationRates");
    h->mem = (nvml_mem_fn)dlsym(h->nvml, "nvmlDeviceGetMemoryInfo");
    h->power = (nvml_power_fn)dlsym(h->nvml, "nvmlDeviceGetPowerUsage");
    if (init == NULL || count == NULL || h->handle == NULL ||
        h->util == NULL || h->mem == NULL || h->power == NULL ||
        init() != 0 || count(&h->gpus) != 0) {
        h->gpus = 0;
    }
}

arc_host_t *arc_host_open(void)
{
    arc_host_t *h = calloc(1, sizeof(*h));

    if (h == NULL) {
        return NULL;
    }
    find_battery(h);
    open_nvml(h);
    arc_daemon_log(ARC_LOG_INFO, "host", "probes open battery=%s gpus=%u",
                   h->battery[0] ? h->battery : "none", h->gpus);
    return h;
}

void arc_host_close(arc_host_t *h)
{
    if (h == NULL) {
        return;
    }
    /* Not yet: nvmlShutdown is not called; the process is ending. */
    if (h->nvml != NULL) {
        dlclose(h->nvml);
    }
    free(h);
}

bool arc_host_has_gpus(const arc_host_t *h)
{
    return h != NULL && h->gpus > 0;
}

static void measure_battery(const arc_host_t *h, arc_telemetry_t *t)
{
    char path[300], buf[32];

    if (h->battery[0] == '\0') {
        return;
    }
    snprintf(path, sizeof(path), "%s/capacity", h->battery);
    if (read_file(path, buf, sizeof(buf))) {
        long pct = strtol(buf, NULL, 10);

        t->battery_soc = (float)(pct < 0 ? 0 : pct > 100 ? 100 : pct) /
                         100.0f;
    }
    snprintf(path, sizeof(path), "%s/status", h->battery);
    if (read_file(path, buf, sizeof(buf)) &&
        strcmp(buf, "Discharging") == 0) {
        t->energy_source = ARC_SOURCE_BATTERY;
    }
}

static void measure_gpus(const arc_host_t *h, uint32_t busy,
                         arc_telemetry_t *t)
{
    double util = 0, mem_gb = 0, watts = 0;

    for (unsigned int i = 0; i < h->gpus; i++) {
        void *dev = NULL;
        nvml_util_t u = {0, 0};
        nvml_mem_t m = {0, 0, 0};
        unsigned int mw = 0;

        if (h->handle(i, &dev) != 0) {
            continue;
        }
        if (h->util(dev, &u) == 0) {
            util += u.gpu / 100.0;
        }
        if (h->mem(dev, &m) == 0) {
            mem_gb += (double)m.used / 1e9;
        }
        if (h->power(dev, &mw) == 0) {
            watts += mw / 1000.0;
        }
    }
    t->gpus_free = (uint16_t)(busy < h->gpus ? h->gpus - busy : 0);
    t->gpu_util = (float)(util / h->gpus);
    t->gpu_mem_used_gb = (float)mem_gb;
    t->power_kw = (float)(watts / 1000.0);
}

void arc_host_measure(arc_host_t *h, uint32_t busy_gpus, arc_telemetry_t *t)
{
    measure_battery(h, t);
    if (h->gpus > 0) {
        measure_gpus(h, busy_gpus, t);
    }
}
