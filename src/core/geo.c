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

/*
 * Sine and cosine of an angle in degrees, for the unit vectors the
 * router measures from: every decision needs its origin's, and the
 * library's general sin and cos spend most of their time on reducing
 * arguments of any size, where these are at most a turn. Taking out the
 * nearest multiple of 90 degrees is exact in degrees (the difference
 * needs no more bits than the angle had), which leaves at most 45
 * degrees, within a unit of the last place once in radians. There the
 * Taylor series to the 17th and 18th powers are good to better than
 * 1e-19, so the rounding of Horner's steps, a unit or two of the last
 * place, is all the error. Plain additions and multiplications: the
 * same answer on every machine. An angle too large to reduce this way
 * (past 2^50 degrees, or not finite) goes to the library.
 */
static void sincos_deg(double deg, double *sin_out, double *cos_out)
{
    const double round_bias = 0x1.8p52; /* adding it rounds to integers */
    double q, r, r2, s, c;
    unsigned quadrant;

    if (!(fabs(deg) < 0x1p50)) {
        *sin_out = sin(deg * DEG);
        *cos_out = cos(deg * DEG);
        return;
    }
    q = (deg / 90.0 + round_bias) - round_bias;
    r = (deg - 90.0 * q) * DEG;
    r2 = r * r;
    s = 1.0 / 355687428096000.0;               /* 1/17! */
    s = s * r2 - 1.0 / 1307674368000.0;        /* 1/15! */
    s = s * r2 + 1.0 / 6227020800.0;           /* 1/13! */
    s = s * r2 - 1.0 / 39916800.0;             /* 1/11! */
    s = s * r2 + 1.0 / 362880.0;               /* 1/9! */
    s = s * r2 - 1.0 / 5040.0;                 /* 1/7! */
    s = s * r2 + 1.0 / 120.0;                  /* 1/5! */
    s = s * r2 - 1.0 / 6.0;                    /* 1/3! */
    s = r + r * r2 * s;
    c = 1.0 / 6402373705728000.0;              /* 1/18! */
    c = c * r2 - 1.0 / 20922789888000.0;       /* 1/16! */
    c = c * r2 + 1.0 / 87178291200.0;          /* 1/14! */
    c = c * r2 - 1.0 / 479001600.0;            /* 1/12! */
    c = c * r2 + 1.0 / 3628800.0;              /* 1/10! */
    c = c * r2 - 1.0 / 40320.0;                /* 1/8! */
    c = c * r2 + 1.0 / 720.0;                  /* 1/6! */
    c = c * r2 - 1.0 / 24.0;                   /* 1/4! */
    c = c * r2 + 0.5;                          /* 1/2! */
    c = 1.0 - r2 * c;

    /* A quarter turn maps (sin, cos) to (cos, -sin). */
    quadrant = (unsigned)(long long)q & 3u;
    *sin_out = quadrant == 0 ? s : quadrant == 1 ? c : quadrant == 2 ? -s : -c;
    *cos_out = quadrant == 0 ? c : quadrant == 1 ? -s : quadrant == 2 ? -c : s;
}

void arc_geo_unit(double lat, double lon, double out[3])
{
    double sin_lat, cos_lat, sin_lon, cos_lon;

    sincos_deg(lat, &sin_lat, &cos_lat);
    sincos_deg(lon, &sin_lon, &cos_lon);
    out[0] = cos_lat * cos_lon;
    out[1] = cos_lat * sin_lon;
    out[2] = sin_lat;
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
