/*
 * carbon.h - the carbon intensity of each kind of power a simulated site
 * can draw: lifecycle figures for its own solar and wind, combustion for
 * its gas engine, and the EPA eGRID subregion rate for grid power.
 *
 * One idea: clean power is not free of carbon. Panels and turbines carry
 * their manufacturing emissions (NREL's harmonised lifecycle medians), so
 * a policy that chases "zero" cannot exist; it can only prefer lower.
 * Every figure and its source is listed in docs/protocol/simulation.md.
 * Constant data only; safe from any thread.
 */
#ifndef ARC_SIM_CARBON_H
#define ARC_SIM_CARBON_H

#include "core/arc.h"

/* Lifecycle medians, g CO2e per kWh (NREL LCA Harmonization, 2021). */
#define ARC_SIM_SOLAR_G_PER_KWH 43.0
#define ARC_SIM_WIND_G_PER_KWH 13.0

/* Natural gas: EPA emission factor and a reciprocating engine's heat
 * rate; 53.06 kg/MMBtu * 9,500 Btu/kWh = 504 g/kWh (combustion). */
#define ARC_SIM_GAS_KG_PER_MMBTU 53.06
#define ARC_SIM_GAS_HEAT_RATE_BTU_PER_KWH 9500.0
#define ARC_SIM_GAS_G_PER_KWH \
    (ARC_SIM_GAS_KG_PER_MMBTU * ARC_SIM_GAS_HEAT_RATE_BTU_PER_KWH / 1000.0)

/* Pounds per MWh to grams per kWh. */
#define ARC_SIM_LB_PER_MWH_TO_G_PER_KWH 0.45359237

/*
 * The grid's CO2 output emission rate of an eGRID subregion ("CAMX",
 * "ERCT", ...), g/kWh. ARC_ERR_NOT_FOUND for an unknown acronym.
 */
arc_status_t arc_sim_grid_intensity(const char *region, double *g_per_kwh);

#endif
