/*
 * geo.h - distances on the Earth, the network round-trip model, the zone a
 * point belongs to, and the sun's elevation.
 *
 * Round trips are estimated from great-circle distance: light in fibre
 * covers about 200 km per millisecond, real routes run about 1.5 times
 * the great circle, and every round trip pays a fixed 2 ms for the last
 * mile and the server's network stack. The same model serves the router's
 * latency term and the simulator's latency, so a decision is judged on
 * the physics it assumed.
 */
#ifndef ARC_GEO_H
#define ARC_GEO_H

#include <math.h>

#include "core/types.h"

#define ARC_EARTH_RADIUS_KM 6371.0088
#define ARC_FIBRE_KM_PER_MS 200.0
#define ARC_ROUTE_INFLATION 1.5
#define ARC_RTT_BASE_MS 2.0

/* Great-circle distance between two points in degrees, in km. */
double arc_geo_distance_km(double lat1, double lon1, double lat2,
                           double lon2);

/*
 * The same distance through unit vectors, for code that measures from
 * one origin to many points: the points' vectors are computed once (and
 * kept in floats, 12 bytes a point), and each distance then costs a
 * square root and one asin instead of four trigonometric calls. The
 * chord (straight line through the Earth) is never longer than the arc,
 * so R * chord is a cheap lower bound of the distance.
 */
void arc_geo_unit(double lat, double lon, double out[3]);
void arc_geo_unit_f(double lat, double lon, float out[3]);

/*
 * The squared chord on the unit sphere between a vector and a float
 * vector: for comparisons that can skip the root.
 */
static inline double arc_geo_chord2(const double a[3], const float b[3])
{
    double dx = a[0] - (double)b[0];
    double dy = a[1] - (double)b[1];
    double dz = a[2] - (double)b[2];

    return dx * dx + dy * dy + dz * dz;
}

/* Chord length on the unit sphere between a vector and a float vector. */
static inline double arc_geo_chord(const double a[3], const float b[3])
{
    return sqrt(arc_geo_chord2(a, b));
}

/*
 * Great-circle km for a chord of the unit sphere. Inline, as the chord
 * above is: the router's search scores each contender with it.
 */
static inline double arc_geo_chord_km(double chord)
{
    double half = chord / 2.0;

    if (half > 1.0)
        half = 1.0;
    return 2.0 * ARC_EARTH_RADIUS_KM * asin(half);
}

/*
 * Estimated network round trip for a path of `km` great-circle km. The
 * constant factor is folded at compile time: a division here would sit
 * on the path of every node the router scores.
 */
static inline double arc_geo_rtt_ms(double km)
{
    return ARC_RTT_BASE_MS +
           km * (2.0 * ARC_ROUTE_INFLATION / ARC_FIBRE_KM_PER_MS);
}

/* True when lat is in [-90, 90] and lon in [-180, 180] (and not NaN). */
bool arc_geo_valid(double lat, double lon);

/*
 * The geozone serving a point: split by longitude at -104 (the Rockies'
 * eastern edge) and -87 (Lake Michigan, the Tennessee valley).
 */
arc_zone_t arc_geo_zone_of(double lat, double lon);

/*
 * Neighbouring zones of a zone in spill-over order (nearest first).
 * Writes up to 2 zones to `out`, returns how many.
 */
int arc_geo_zone_neighbours(arc_zone_t zone, arc_zone_t out[2]);

/*
 * The sun's elevation above the horizon in degrees at a point and UTC
 * time (microseconds since the epoch). Uses the NOAA low-precision solar
 * position formulas: within about 0.5 degree of the true position between
 * 1950 and 2050, which is far better than a solar panel needs.
 */
double arc_sun_elevation_deg(double lat, double lon, int64_t utc_us);

#endif
