/*
 * carbon.c - the eGRID2022 subregion table: CO2 total output emission
 * rates in lb/MWh for the contiguous-US subregions the site table uses,
 * rounded to 10 lb/MWh. Converted to g/kWh on lookup.
 */
#include "sim/carbon.h"

#include <string.h>

typedef struct region_rate {
    const char *acronym;
    double lb_per_mwh;
} region_rate_t;

static const region_rate_t egrid2022[] = {
    {"AZNM", 780.0},  {"CAMX", 500.0},  {"ERCT", 770.0},
    {"FRCC", 810.0},  {"MROE", 1440.0}, {"MROW", 940.0},
    {"NEWE", 540.0},  {"NWPP", 640.0},  {"NYCW", 890.0},
    {"NYLI", 1180.0}, {"NYUP", 250.0},  {"RFCE", 660.0},
    {"RFCM", 1190.0}, {"RFCW", 1060.0}, {"RMPA", 1120.0},
    {"SPNO", 940.0},  {"SPSO", 930.0},  {"SRMV", 750.0},
    {"SRMW", 1390.0}, {"SRSO", 890.0},  {"SRTV", 930.0},
    {"SRVC", 620.0},
};

arc_status_t arc_sim_grid_intensity(const char *region, double *g_per_kwh)
{
    if (region == NULL || g_per_kwh == NULL)
        return ARC_ERR_INVALID;

    for (size_t i = 0; i < ARC_ARRAY_LEN(egrid2022); i++) {
        if (strcmp(egrid2022[i].acronym, region) == 0) {
            *g_per_kwh = egrid2022[i].lb_per_mwh *
                         ARC_SIM_LB_PER_MWH_TO_G_PER_KWH;
            return ARC_OK;
        }
    }
    return ARC_ERR_NOT_FOUND;
}
