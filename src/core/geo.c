/*
 * geo.c - great-circle distance, the round-trip model, zones, and the
 * solar position used by the simulator's solar generation.
 */
#include "core/geo.h"

#include <math.h>

#define DEG (M_PI / 180.0)

double arc_geo_distance_km(double lat1, double lon1, double lat2,
                           double lon2)
{
    double dlat = (lat2 - lat1) * DEG;
    double dlon = (lon2 - lon1) * DEG;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * DEG) * cos(lat2 * DEG) * sin(dlon / 2) *
                   sin(dlon / 2);

    if (a > 1.0)
        a = 1.0;
    return 2.0 * ARC_EARTH_RADIUS_KM * asin(sqrt(a));
}

void arc_geo_unit(double lat, double lon, double out[3])
{
    double c = cos(lat * DEG);

    out[0] = c * cos(lon * DEG);
    out[1] = c * sin(lon * DEG);
    out[2] = sin(lat * DEG);
}

void arc_geo_unit_f(double lat, double lon, float out[3])
{
    double v[3];

    arc_geo_unit(lat, lon, v);
    for (int i = 0; i < 3; i++)
        out[i] = (float)v[i];
}

bool arc_geo_valid(double lat, double lon)
{
    return lat >= -90.0 && lat <= 90.0 && lon >= -180.0 && lon <= 180.0;
}

arc_zone_t arc_geo_zone_of(double lat, double lon)
{
    (void)lat;
    if (lon < -104.0)
        return ARC_ZONE_WEST;
    if (lon < -87.0)
        return ARC_ZONE_CENTRAL;
    return ARC_ZONE_EAST;
}

int arc_geo_zone_neighbours(arc_zone_t zone, arc_zone_t out[2])
{
    switch (zone) {
    case ARC_ZONE_WEST:
        out[0] = ARC_ZONE_CENTRAL;
        out[1] = ARC_ZONE_EAST;
        return 2;
    case ARC_ZONE_CENTRAL:
        out[0] = ARC_ZONE_EAST;
        out[1] = ARC_ZONE_WEST;
        return 2;
    case ARC_ZONE_EAST:
        out[0] = ARC_ZONE_CENTRAL;
        out[1] = ARC_ZONE_WEST;
        return 2;
    default:
        return 0;
    }
}

double arc_sun_elevation_deg(double lat, double lon, int64_t utc_us)
{
    /* Days since J2000.0 (2000-01-01 12:00 UTC). */
    double days = ((double)utc_us / 1e6 - 946728000.0) / 86400.0;

    /* Mean longitude and mean anomaly of the sun, degrees. */
    double mean_lon = fmod(280.460 + 0.9856474 * days, 360.0);
    double anomaly = fmod(357.528 + 0.9856003 * days, 360.0) * DEG;

    /* Ecliptic longitude and obliquity. */
    double ecl = (mean_lon + 1.915 * sin(anomaly) +
                  0.020 * sin(2 * anomaly)) * DEG;
    double obliq = (23.439 - 0.0000004 * days) * DEG;

    /* Right ascension and declination. */
    double ra = atan2(cos(obliq) * sin(ecl), cos(ecl));
    double decl = asin(sin(obliq) * sin(ecl));

    /* Greenwich mean sidereal time, then the local hour angle. */
    double gmst = fmod(280.46061837 + 360.98564736629 * days, 360.0);
    double hour_angle = (gmst + lon) * DEG - ra;

    double sin_elev = sin(lat * DEG) * sin(decl) +
                      cos(lat * DEG) * cos(decl) * cos(hour_angle);

    return asin(sin_elev) / DEG;
}
