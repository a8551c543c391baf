/*
 * index.c - grids of per-cell, per-model key heaps, and the outward
 * search over them (see index.h for the idea).
 *
 * Layout. Each (zone, key kind) has a grid of square cells. The scored
 * kind's cells hold about 12 sqrt(n) of the zone's n nodes each (see
 * cells_for); the nearest policy's, which orders nothing inside a
 * cell, about 32 (see nearest_cells_for); the kinds ranked by key alone
 * use one cell, and so does a second copy of the scored kind, searched
 * when latency barely counts (see index.h). cell_of[] keeps each node's
 * cell in the two fine grids.
 * Each cell has one binary min-heap per model. An entry of the scored
 * kinds carries what a search needs to score the node without reading
 * it: the key, the node's unit vector and its last heartbeat (24
 * bytes); the other kinds keep the key alone (8 bytes). pos[] maps
 * (node, model, kind) back to the entry's slot so a change moves one
 * entry in O(log n).
 *
 * Pyramid. Above the leaf cells each level halves the rows and columns,
 * up to one cell. For each model, every cell of every level keeps the
 * smallest key below it and the box around the nodes below it that load
 * the model, in 16 bytes; the four children of a cell sit together in one
 * 64-byte line, so opening a region costs one cache line.
 *
 * Search bound. A region's lower bound is the latency weight times the
 * round trip to the nearest point of its box, using a trig-free distance
 * bound (see lower_bound_km), plus its smallest key; keys are never
 * negative. The search is a depth-first branch and bound: it opens a
 * region's children best bound first and skips any that cannot beat the
 * k-th best score found so far. Inside a leaf it walks the cell's heap
 * from the root down, skipping a subtree as soon as its root's key
 * cannot win (a heap's children never have smaller keys).
 *
 * Branches. Whether a bound can still win is a coin toss to a branch
 * predictor, and a wrong guess costs more than the arithmetic around
 * it. So neither walk keeps a priority queue of its own; the four
 * children of a region are sorted by a fixed network of min and max
 * operations, and a heap's children are pushed by moving the stack's
 * top by the outcome of the test rather than by branching on it.
 *
 * Lanes. On x86-64 both walks work four SSE2 lanes wide: a region's four
 * children are bounded and sorted together (child_bounds), and a heap's
 * two siblings are tested together (walk_pairs). Other targets take the
 * same steps one lane at a time.
 *
 * A node's cell and unit vector are worked out once, when the index
 * first sees it: sites do not move, so a report only re-keys it.
 *
 * Turns. Round-robin needs the next node, in the order a zone's nodes
 * were added, that passes the shared filters: a bit set per zone and
 * model (core/bitset.h), set while the least-loaded kind holds the node,
 * answers that in a few word reads.
 *
 * Growth. A node added outside its zone's grid marks the index dirty and
 * the next search rebuilds it: O(N log N) once per batch of additions.
 * Owned by the router's thread.
 */
#include "route/index.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/bitset.h"
#include "core/geo.h"

#define CELL_SHARE 12.0 /* a cell holds about 12 sqrt(n) of n nodes */
#define WIDE_WEIGHT 0.1 /* below this latency weight, search by key alone */
#define NEAREST_CELL 32 /* nodes in a cell of the nearest policy's grid */
#define NO_POS UINT32_MAX
#define MAX_K 8
#define KM_PER_DEG 111.19492664 /* on the mean-radius sphere */
#define WALK_STACK 64 /* a heap walk holds at most depth + 1 slots */
#define QUANT_MAX 65535u     /* box coordinates are 16-bit grid units */
#define HEARTBEAT_UNKNOWN UINT32_MAX
#define US_PER_S 1000000LL

struct entry {
    float key;
    uint32_t node;
};

/* Where an entry's node is and when it was last heard from. */
struct place {
    float unit[3];        /* the node's position (arc_geo_unit_f) */
    uint32_t heartbeat_s; /* floor of its last heartbeat, or unknown */
};

/* An entry with its place, as heap operations move them. */
struct item {
    struct entry e;
    struct place at;
};

/*
 * Heaps of the geographic kinds keep each entry's place in a parallel
 * array (at), so a search scores a node without reading the node; the
 * other kinds, searched rarely, leave it NULL and read the node.
 */
struct heap {
    struct entry *e;
    struct place *at;
    uint32_t len;
    uint32_t cap;
};

/*
 * One cell of one level for one model: the smallest key of the model's
 * entries below it (INFINITY when none) and their bounding box in grid
 * units, rounded outward (lo > hi when empty).
 */
struct region {
    float min_key;
    uint16_t lat_lo, lat_hi, lon_lo, lon_hi;
    uint32_t unused; /* pads to 16 bytes: four children per line */
};

/*
 * One level of a grid's pyramid. Level 0 is the leaf cells; each level
 * above halves the rows and columns, up to a single cell. Regions are
 * stored model by model, and within a model in blocks of four: the
 * children of cell c of the level above are slots 4c .. 4c+3.
 */
struct level {
    uint32_t rows, cols;
    uint32_t slots;      /* per model: 4 * cells of the level above */
    struct region *reg;  /* models * slots, 64-byte aligned */
};

/* A side has at most QUANT_MAX cells: 16 halvings reach one cell. */
#define MAX_LEVELS 17

struct grid {
    double lat0, lon0, cell_deg; /* south-west corner, leaf cell size */
    double unit_deg;             /* one grid unit of a region's box */
    double max_abs_lat;          /* over the grid's rectangle */
    double cos_max_lat;          /* its cosine (at most 89.99 degrees) */
    uint32_t rows, cols;         /* leaf cells */
    struct heap *heaps;          /* rows * cols * models */
    uint32_t levels;
    struct level *lv;            /* `levels` of them, leaves first */
};

struct arc_index {
    const arc_mesh_t *mesh;
    arc_index_key_fn key_fn;
    void *key_ctx;
    uint32_t models;

    struct grid grids[ARC_ZONE_COUNT][ARC_KEY_KIND_COUNT];
    uint32_t *pos;        /* [node][model][kind]: heap slot or NO_POS */
    uint32_t (*cell_of)[2]; /* [node]: cell in its zone's two fine grids */
    float (*unit_of)[3];  /* [node]: its position (arc_geo_unit_f) */
    uint32_t *live_models; /* [node]: models counted in model_nodes */
    uint32_t *zone_pos;   /* [node]: its place in its zone's list */
    uint32_t node_cap;    /* length of the per-node arrays */
    uint32_t known;       /* nodes seen so far (indexes 0..known-1) */

    uint32_t model_nodes[ARC_ZONE_COUNT][ARC_MAX_MODELS];
    uint32_t *zone_nodes[ARC_ZONE_COUNT];
    uint32_t zone_len[ARC_ZONE_COUNT];
    uint32_t zone_cap[ARC_ZONE_COUNT];
    /*
     * [zone][model]: by place in the zone's list, the nodes that the
     * least-loaded kind holds, for round-robin's "next one in turn".
     */
    arc_bitset_t *ready[ARC_ZONE_COUNT];

    bool dirty;           /* a node fell outside its grid: rebuild */
};

_Static_assert(sizeof(struct region) == 16, "four regions per cache line");
_Static_assert(sizeof(struct place) == 16, "places stay compact");

/* ---- heaps ------------------------------------------------------------ */

static uint32_t *pos_of(arc_index_t *ix, uint32_t node, uint32_t model,
                        arc_key_kind_t kind)
{
    return &ix->pos[((size_t)node * ix->models + model) *
                        ARC_KEY_KIND_COUNT + kind];
}

static bool entry_less(const struct entry *a, const struct entry *b)
{
    return a->key < b->key || (a->key == b->key && a->node < b->node);
}

static struct item item_at(const struct heap *h, uint32_t slot)
{
    struct item it = {.e = h->e[slot]};

    if (h->at != NULL)
        it.at = h->at[slot];
    return it;
}

static void heap_place(arc_index_t *ix, struct heap *h, uint32_t slot,
                       const struct item *it, uint32_t model,
                       arc_key_kind_t kind)
{
    h->e[slot] = it->e;
    if (h->at != NULL)
        h->at[slot] = it->at;
    *pos_of(ix, it->e.node, model, kind) = slot;
}

/*
 * Places `it` in the hole at `slot`, moving up the parents it beats and
 * leaving it where none is left to beat.
 */
static void hole_up(arc_index_t *ix, struct heap *h, uint32_t slot,
                    const struct item *it, uint32_t model,
                    arc_key_kind_t kind)
{
    while (slot > 0) {
        uint32_t parent = (slot - 1) / 2;
        struct item up;

        if (!entry_less(&it->e, &h->e[parent]))
            break;
        up = item_at(h, parent);
        heap_place(ix, h, slot, &up, model, kind);
        slot = parent;
    }
    heap_place(ix, h, slot, it, model, kind);
}

/* The same downwards: the smaller child that beats `it` moves up. */
static void hole_down(arc_index_t *ix, struct heap *h, uint32_t slot,
                      const struct item *it, uint32_t model,
                      arc_key_kind_t kind)
{
    for (;;) {
        uint32_t child = slot * 2 + 1;
        struct item down;

        if (child >= h->len)
            break;
        if (child + 1 < h->len && entry_less(&h->e[child + 1], &h->e[child]))
            child++;
        if (!entry_less(&h->e[child], &it->e))
            break;
        down = item_at(h, child);
        heap_place(ix, h, slot, &down, model, kind);
        slot = child;
    }
    heap_place(ix, h, slot, it, model, kind);
}

/* Makes room for `cap` entries (and places, when the heap keeps them). */
static arc_status_t heap_reserve(struct heap *h, uint32_t cap, bool placed)
{
    struct entry *e = realloc(h->e, sizeof(*e) * cap);

    if (e == NULL)
        return ARC_ERR_NOMEM;
    h->e = e;
    if (placed) {
        struct place *at = realloc(h->at, sizeof(*at) * cap);

        if (at == NULL)
            return ARC_ERR_NOMEM;
        h->at = at;
    }
    h->cap = cap;
    return ARC_OK;
}

static arc_status_t heap_insert(arc_index_t *ix, struct heap *h,
                                const struct item *it, uint32_t model,
                                arc_key_kind_t kind)
{
    if (h->len == h->cap &&
        heap_reserve(h, h->cap ? h->cap * 2 : 4,
                     ARC_KEY_PLACED(kind)) != ARC_OK)
        return ARC_ERR_NOMEM;
    h->len++;
    hole_up(ix, h, h->len - 1, it, model, kind);
    return ARC_OK;
}

/*
 * Puts `it` in the place of the entry at `slot`: it can only need to
 * move one way, which its parent tells.
 */
static void heap_replace(arc_index_t *ix, struct heap *h, uint32_t slot,
                         const struct item *it, uint32_t model,
                         arc_key_kind_t kind)
{
    if (slot > 0 && entry_less(&it->e, &h->e[(slot - 1) / 2]))
        hole_up(ix, h, slot, it, model, kind);
    else
        hole_down(ix, h, slot, it, model, kind);
}

static void heap_remove(arc_index_t *ix, struct heap *h, uint32_t slot,
                        uint32_t model, arc_key_kind_t kind)
{
    uint32_t node = h->e[slot].node;

    h->len--;
    if (slot != h->len) {
        struct item moved = item_at(h, h->len);

        heap_replace(ix, h, slot, &moved, model, kind);
    }
    *pos_of(ix, node, model, kind) = NO_POS;
}

/* ---- grids ------------------------------------------------------------ */

static void grid_free(struct grid *g, uint32_t models)
{
    size_t cells = (size_t)g->rows * g->cols;

    for (size_t i = 0; g->heaps != NULL && i < cells * models; i++) {
        free(g->heaps[i].e);
        free(g->heaps[i].at);
    }
    free(g->heaps);
    for (uint32_t l = 0; g->lv != NULL && l < g->levels; l++)
        free(g->lv[l].reg);
    free(g->lv);
    memset(g, 0, sizeof(*g));
}

static arc_status_t level_init(struct level *lv, uint32_t rows,
                               uint32_t cols, uint32_t models)
{
    size_t count;

    lv->rows = rows;
    lv->cols = cols;
    /* A single cell has no siblings to sit beside: one slot will do. */
    lv->slots = rows == 1 && cols == 1
                    ? 1
                    : 4 * ((rows + 1) / 2) * ((cols + 1) / 2);
    count = (size_t)lv->slots * models;
    lv->reg = aligned_alloc(64, (sizeof(*lv->reg) * count + 63) &
                                    ~(size_t)63);
    if (lv->reg == NULL)
        return ARC_ERR_NOMEM;
    for (size_t i = 0; i < count; i++) {
        lv->reg[i] = (struct region){
            .min_key = INFINITY,
            .lat_lo = QUANT_MAX,
            .lon_lo = QUANT_MAX,
        };
    }
    return ARC_OK;
}

/* Where cell (row, col) of a level sits among its model's regions. */
static uint32_t slot_of(const struct level *lv, uint32_t row, uint32_t col)
{
    return ((row >> 1) * ((lv->cols + 1) / 2) + (col >> 1)) * 4 +
           (row & 1) * 2 + (col & 1);
}

static struct region *region_at(const struct level *lv, uint32_t model,
                                 uint32_t slot)
{
    return &lv->reg[(size_t)model * lv->slots + slot];
}

/* Lays out a grid over a box, `cells_wanted` cells (at least one). */
static arc_status_t grid_init(struct grid *g, double lat_lo, double lat_hi,
                              double lon_lo, double lon_hi,
                              uint32_t cells_wanted, uint32_t models)
{
    double span_lat = fmax(lat_hi - lat_lo, 0.01);
    double span_lon = fmax(lon_hi - lon_lo, 0.01);
    double size;
    uint32_t rows, cols, widest, levels;

    /* A small margin keeps nodes on the edge inside despite rounding. */
    lat_lo -= 1e-6;
    lon_lo -= 1e-6;
    span_lat += 2e-6;
    span_lon += 2e-6;
    size = sqrt(span_lat * span_lon / (cells_wanted ? cells_wanted : 1));
    if (cells_wanted <= 1)
        size = fmax(span_lat, span_lon);
    g->cell_deg = fmax(size, 1e-3);
    g->lat0 = lat_lo;
    g->lon0 = lon_lo;
    g->rows = (uint32_t)ceil(span_lat / g->cell_deg);
    g->cols = (uint32_t)ceil(span_lon / g->cell_deg);
    if (g->rows == 0)
        g->rows = 1;
    if (g->cols == 0)
        g->cols = 1;
    g->max_abs_lat = fmax(fabs(lat_lo), fabs(lat_lo + g->rows * g->cell_deg));
    g->cos_max_lat = cos(fmin(89.99, g->max_abs_lat) * (M_PI / 180.0));

    /* Box units: as fine as 16 bits allow, at most 1/256 of a cell. */
    widest = g->rows > g->cols ? g->rows : g->cols;
    if (widest > QUANT_MAX)
        return ARC_ERR_NOMEM;
    g->unit_deg = g->cell_deg /
                  (double)(QUANT_MAX / widest < 256 ? QUANT_MAX / widest
                                                    : 256);

    g->heaps = calloc((size_t)g->rows * g->cols * models, sizeof(*g->heaps));
    if (g->heaps == NULL)
        return ARC_ERR_NOMEM;

    /* Each level above halves the rows and columns, up to one cell. */
    for (rows = g->rows, cols = g->cols, levels = 1;
         (rows > 1 || cols > 1) && levels < MAX_LEVELS; levels++) {
        rows = (rows + 1) / 2;
        cols = (cols + 1) / 2;
    }
    g->lv = calloc(levels, sizeof(*g->lv));
    if (g->lv == NULL)
        return ARC_ERR_NOMEM;
    rows = g->rows;
    cols = g->cols;
    while (g->levels < levels) {
        if (level_init(&g->lv[g->levels++], rows, cols, models) != ARC_OK)
            return ARC_ERR_NOMEM;
        rows = (rows + 1) / 2;
        cols = (cols + 1) / 2;
    }
    return ARC_OK;
}

static bool grid_contains(const struct grid *g, double lat, double lon)
{
    return g->rows > 0 && lat >= g->lat0 &&
           lat <= g->lat0 + g->rows * g->cell_deg && lon >= g->lon0 &&
           lon <= g->lon0 + g->cols * g->cell_deg;
}

static uint32_t clamp_index(double v, uint32_t n)
{
    if (!(v > 0))
        return 0;
    if (v >= n)
        return n - 1;
    return (uint32_t)v;
}

static uint32_t grid_row(const struct grid *g, double lat)
{
    return clamp_index((lat - g->lat0) / g->cell_deg, g->rows);
}

static uint32_t grid_col(const struct grid *g, double lon)
{
    return clamp_index((lon - g->lon0) / g->cell_deg, g->cols);
}

/* A coordinate in grid units, rounded down (lo) or up (hi). */
static uint16_t quantize(const struct grid *g, double deg, double origin,
                         bool up)
{
    double u = (deg - origin) / g->unit_deg;

    u = up ? ceil(u) : floor(u);
    if (!(u > 0.0))
        return 0;
    if (u >= QUANT_MAX)
        return QUANT_MAX;
    return (uint16_t)u;
}

/*
 * Grows the boxes of a leaf cell and of every cell above it, for one
 * model, to take in a point.
 */
static void grid_extend(struct grid *g, uint32_t cell, uint32_t model,
                        double lat, double lon)
{
    uint32_t row = cell / g->cols, col = cell % g->cols;
    uint16_t lat_lo = quantize(g, lat, g->lat0, false);
    uint16_t lat_hi = quantize(g, lat, g->lat0, true);
    uint16_t lon_lo = quantize(g, lon, g->lon0, false);
    uint16_t lon_hi = quantize(g, lon, g->lon0, true);

    for (uint32_t l = 0; l < g->levels; l++) {
        const struct level *lv = &g->lv[l];
        struct region *r =
            region_at(lv, model, slot_of(lv, row >> l, col >> l));

        if (r->lat_lo <= lat_lo && r->lat_hi >= lat_hi &&
            r->lon_lo <= lon_lo && r->lon_hi >= lon_hi)
            return; /* every box above holds this one */
        if (lat_lo < r->lat_lo)
            r->lat_lo = lat_lo;
        if (lat_hi > r->lat_hi)
            r->lat_hi = lat_hi;
        if (lon_lo < r->lon_lo)
            r->lon_lo = lon_lo;
        if (lon_hi > r->lon_hi)
            r->lon_hi = lon_hi;
    }
}

/*
 * Re-reads the smallest key of a leaf's heap and carries a change up the
 * pyramid, stopping at the first level it leaves unchanged.
 */
static void refresh_min(struct grid *g, const struct heap *h, uint32_t cell,
                        uint32_t model)
{
    uint32_t row = cell / g->cols, col = cell % g->cols;
    float key = h->len ? h->e[0].key : INFINITY;
    struct region *leaf =
        region_at(&g->lv[0], model, slot_of(&g->lv[0], row, col));

    if (leaf->min_key == key)
        return;
    leaf->min_key = key;

    for (uint32_t l = 1; l < g->levels; l++) {
        const struct level *lv = &g->lv[l];
        uint32_t r = row >> l, c = col >> l;
        const struct region *child =
            region_at(&g->lv[l - 1], model, (r * lv->cols + c) * 4);
        struct region *up = region_at(lv, model, slot_of(lv, r, c));
        float least = child[0].min_key;

        for (int i = 1; i < 4; i++)
            least = child[i].min_key < least ? child[i].min_key : least;
        if (up->min_key == least)
            return;
        up->min_key = least;
    }
}

/* ---- per-node bookkeeping -------------------------------------------- */

static arc_status_t grow_nodes(arc_index_t *ix, uint32_t need)
{
    uint32_t cap = ix->node_cap ? ix->node_cap : (need > 16 ? need : 16);
    size_t per = (size_t)ix->models * ARC_KEY_KIND_COUNT;
    uint32_t *pos, (*cell_of)[2], *live, *zpos;
    float(*unit)[3];

    while (cap < need)
        cap *= 2;
    pos = realloc(ix->pos, sizeof(*pos) * per * cap);
    if (pos == NULL)
        return ARC_ERR_NOMEM;
    ix->pos = pos;
    cell_of = realloc(ix->cell_of, sizeof(*cell_of) * cap);
    if (cell_of == NULL)
        return ARC_ERR_NOMEM;
    ix->cell_of = cell_of;
    unit = realloc(ix->unit_of, sizeof(*unit) * cap);
    if (unit == NULL)
        return ARC_ERR_NOMEM;
    ix->unit_of = unit;
    live = realloc(ix->live_models, sizeof(*live) * cap);
    if (live == NULL)
        return ARC_ERR_NOMEM;
    ix->live_models = live;
    zpos = realloc(ix->zone_pos, sizeof(*zpos) * cap);
    if (zpos == NULL)
        return ARC_ERR_NOMEM;
    ix->zone_pos = zpos;

    memset(ix->pos + per * ix->node_cap, 0xff,
           sizeof(*pos) * per * (cap - ix->node_cap));
    memset(ix->live_models + ix->node_cap, 0,
           sizeof(*live) * (cap - ix->node_cap));
    ix->node_cap = cap;
    return ARC_OK;
}

static arc_status_t zone_append(arc_index_t *ix, arc_zone_t zone,
                                uint32_t node)
{
    if (ix->zone_len[zone] == ix->zone_cap[zone]) {
        uint32_t cap = ix->zone_cap[zone] ? ix->zone_cap[zone] * 2 : 64;
        uint32_t *grown = realloc(ix->zone_nodes[zone],
                                  sizeof(*grown) * cap);

        if (grown == NULL)
            return ARC_ERR_NOMEM;
        ix->zone_nodes[zone] = grown;
        for (uint32_t m = 0; m < ix->models; m++) {
            if (arc_bitset_reserve(&ix->ready[zone][m], cap) != ARC_OK)
                return ARC_ERR_NOMEM;
        }
        ix->zone_cap[zone] = cap;
    }
    ix->zone_pos[node] = ix->zone_len[zone];
    ix->zone_nodes[zone][ix->zone_len[zone]++] = node;
    return ARC_OK;
}

/* Adds nodes the mesh has that the index has not seen yet. */
static arc_status_t learn_new_nodes(arc_index_t *ix)
{
    uint32_t count = arc_mesh_count(ix->mesh);
    arc_status_t st;

    if (count <= ix->known)
        return ARC_OK;
    if (count > ix->node_cap && (st = grow_nodes(ix, count)) != ARC_OK)
        return st;

    for (uint32_t i = ix->known; i < count; i++) {
        const arc_node_t *n = arc_mesh_node(ix->mesh, i);
        const struct grid *g = &ix->grids[n->zone][ARC_KEY_SCORE];

        if ((st = zone_append(ix, n->zone, i)) != ARC_OK)
            return st;
        arc_geo_unit_f(n->lat, n->lon, ix->unit_of[i]);
        if (!grid_contains(g, n->lat, n->lon)) {
            ix->dirty = true;
            ix->cell_of[i][0] = ix->cell_of[i][1] = 0;
            continue;
        }
        ix->cell_of[i][0] = grid_row(g, n->lat) * g->cols +
                            grid_col(g, n->lon);
        g = &ix->grids[n->zone][ARC_KEY_NEAREST];
        ix->cell_of[i][1] = grid_row(g, n->lat) * g->cols +
                            grid_col(g, n->lon);
    }
    ix->known = count;
    return ARC_OK;
}

/* ---- building and updating ------------------------------------------- */

static arc_status_t update_node(arc_index_t *ix, uint32_t node);

/*
 * Gives back what the heaps' doubling left unused once a rebuild has
 * placed every node; later growth doubles again.
 */
static void grid_fit(struct grid *g, bool placed, uint32_t models)
{
    size_t heaps = (size_t)g->rows * g->cols * models;

    for (size_t i = 0; i < heaps; i++) {
        struct heap *h = &g->heaps[i];

        /* On failure the larger blocks stay, which is harmless. */
        if (h->len > 0 && h->len < h->cap)
            (void)heap_reserve(h, h->len, placed);
    }
}

/*
 * How many leaf cells a zone of n nodes gets: about sqrt(n) / 12, so a
 * cell holds about 12 sqrt(n) nodes. Big cells are cheap because a
 * cell's heap walk skips whole subtrees of keys that cannot win, while
 * every pyramid level costs regions opened per decision. Measured with
 * bench-route under callgrind (instructions and mispredicted branches),
 * 12 beat 4, 6 and 9 at both 10k and 1M nodes.
 */
static uint32_t cells_for(uint32_t n)
{
    return (uint32_t)(sqrt((double)n) / CELL_SHARE);
}

/*
 * The nearest policy ranks by latency alone, so a cell's heap orders
 * nothing and a search scores every node of each cell it opens: its
 * grid gets small cells, about NEAREST_CELL nodes each.
 */
static uint32_t nearest_cells_for(uint32_t n)
{
    return n / NEAREST_CELL;
}

/* Lays out every zone's grids over its nodes, then indexes them all. */
static arc_status_t rebuild(arc_index_t *ix)
{
    uint32_t count = arc_mesh_count(ix->mesh);
    double box[ARC_ZONE_COUNT][4];
    uint32_t per_zone[ARC_ZONE_COUNT] = {0};
    arc_status_t st;

    for (int z = 0; z < ARC_ZONE_COUNT; z++) {
        box[z][0] = box[z][2] = INFINITY;
        box[z][1] = box[z][3] = -INFINITY;
        for (int k = 0; k < ARC_KEY_KIND_COUNT; k++)
            grid_free(&ix->grids[z][k], ix->models);
        for (uint32_t m = 0; m < ix->models; m++)
            arc_bitset_clear(&ix->ready[z][m]);
        ix->zone_len[z] = 0;
    }
    for (uint32_t i = 0; i < count; i++) {
        const arc_node_t *n = arc_mesh_node(ix->mesh, i);

        box[n->zone][0] = fmin(box[n->zone][0], n->lat);
        box[n->zone][1] = fmax(box[n->zone][1], n->lat);
        box[n->zone][2] = fmin(box[n->zone][2], n->lon);
        box[n->zone][3] = fmax(box[n->zone][3], n->lon);
        per_zone[n->zone]++;
    }

    for (int z = 0; z < ARC_ZONE_COUNT; z++) {
        if (per_zone[z] == 0) {
            /* An empty zone still gets a one-cell grid over nothing. */
            box[z][0] = box[z][1] = box[z][2] = box[z][3] = 0.0;
        }
        for (int k = 0; k < ARC_KEY_KIND_COUNT; k++) {
            uint32_t cells = k == ARC_KEY_SCORE ? cells_for(per_zone[z])
                             : k == ARC_KEY_NEAREST
                                 ? nearest_cells_for(per_zone[z])
                                 : 1;

            st = grid_init(&ix->grids[z][k], box[z][0], box[z][1],
                           box[z][2], box[z][3], cells, ix->models);
            if (st != ARC_OK)
                return st;
        }
    }

    memset(ix->model_nodes, 0, sizeof(ix->model_nodes));
    if (ix->pos != NULL)
        memset(ix->pos, 0xff, sizeof(*ix->pos) * ix->models *
                                  ARC_KEY_KIND_COUNT * ix->node_cap);
    if (ix->live_models != NULL)
        memset(ix->live_models, 0, sizeof(*ix->live_models) * ix->node_cap);
    ix->known = 0;
    ix->dirty = false;
    if ((st = learn_new_nodes(ix)) != ARC_OK)
        return st;

    for (uint32_t i = 0; i < count; i++) {
        if ((st = update_node(ix, i)) != ARC_OK)
            return st;
    }
    for (int z = 0; z < ARC_ZONE_COUNT; z++) {
        for (int k = 0; k < ARC_KEY_KIND_COUNT; k++)
            grid_fit(&ix->grids[z][k], ARC_KEY_PLACED(k), ix->models);
    }
    return ARC_OK;
}

static void count_live_models(arc_index_t *ix, const arc_node_t *n,
                              uint32_t node)
{
    uint32_t now = arc_node_is_healthy(n) ? n->models : 0;
    uint32_t was = ix->live_models[node];

    for (uint32_t m = 0; m < ix->models; m++) {
        uint32_t bit = 1u << m;

        if ((now & bit) && !(was & bit))
            ix->model_nodes[n->zone][m]++;
        else if (!(now & bit) && (was & bit))
            ix->model_nodes[n->zone][m]--;
    }
    ix->live_models[node] = now;
}

/* The heartbeat in whole seconds, when it fits 32 bits. */
static uint32_t heartbeat_seconds(int64_t us)
{
    if (us < 0 || us / US_PER_S >= HEARTBEAT_UNKNOWN)
        return HEARTBEAT_UNKNOWN;
    return (uint32_t)(us / US_PER_S);
}

static arc_status_t update_node(arc_index_t *ix, uint32_t node)
{
    const arc_node_t *n = arc_mesh_node(ix->mesh, node);
    struct item it = {
        .e.node = node,
        .at.heartbeat_s = heartbeat_seconds(n->last_heartbeat_us),
    };

    uint32_t was = ix->live_models[node], now;

    memcpy(it.at.unit, ix->unit_of[node], sizeof(it.at.unit));
    count_live_models(ix, n, node);
    now = ix->live_models[node];
    for (uint32_t m = 0; m < ix->models; m++) {
        float keys[ARC_KEY_KIND_COUNT];
        uint32_t kinds;

        /*
         * Only a live node that loads a model has entries for it: a
         * model outside both the last and this report's live models
         * has none to move and gets none.
         */
        if (!((was | now) & (1u << m)))
            continue;
        kinds = now & (1u << m) ? ix->key_fn(ix->key_ctx, n, m, keys) : 0;

        for (int k = 0; k < ARC_KEY_KIND_COUNT; k++) {
            struct grid *g = &ix->grids[n->zone][k];
            uint32_t cell = k == ARC_KEY_SCORE     ? ix->cell_of[node][0]
                            : k == ARC_KEY_NEAREST ? ix->cell_of[node][1]
                                                   : 0;
            struct heap *h = &g->heaps[(size_t)cell * ix->models + m];
            uint32_t slot = *pos_of(ix, node, m, k);
            bool eligible = kinds & (1u << k);

            it.e.key = keys[k];
            if (eligible && slot == NO_POS) {
                if (heap_insert(ix, h, &it, m, k) != ARC_OK)
                    return ARC_ERR_NOMEM;
                grid_extend(g, cell, m, n->lat, n->lon);
                if (k == ARC_KEY_LOAD)
                    arc_bitset_put(&ix->ready[n->zone][m],
                                   ix->zone_pos[node], true);
            } else if (eligible && h->e[slot].key == it.e.key) {
                /* Most reports leave a key as it was: no move. */
                if (h->at != NULL)
                    h->at[slot] = it.at;
                continue;
            } else if (eligible) {
                heap_replace(ix, h, slot, &it, m, k);
            } else if (slot != NO_POS) {
                heap_remove(ix, h, slot, m, k);
                if (k == ARC_KEY_LOAD)
                    arc_bitset_put(&ix->ready[n->zone][m],
                                   ix->zone_pos[node], false);
            } else {
                continue;
            }
            refresh_min(g, h, cell, m);
        }
    }
    return ARC_OK;
}

arc_status_t arc_index_update(arc_index_t *ix, uint32_t node)
{
    arc_status_t st;

    if (node >= ix->known && (st = learn_new_nodes(ix)) != ARC_OK)
        return st;
    if (node >= ix->known)
        return ARC_ERR_NOT_FOUND;
    if (ix->dirty)
        return ARC_OK; /* the next search rebuilds everything */
    return update_node(ix, node);
}

arc_index_t *arc_index_new(const arc_mesh_t *mesh, arc_index_key_fn key_fn,
                           void *key_ctx)
{
    arc_index_t *ix = calloc(1, sizeof(*ix));

    if (ix == NULL)
        return NULL;
    ix->mesh = mesh;
    ix->key_fn = key_fn;
    ix->key_ctx = key_ctx;
    ix->models = arc_model_count();
    for (int z = 0; z < ARC_ZONE_COUNT; z++) {
        ix->ready[z] = calloc(ix->models, sizeof(*ix->ready[z]));
        if (ix->ready[z] == NULL) {
            arc_index_free(ix);
            return NULL;
        }
    }
    if (rebuild(ix) != ARC_OK) {
        arc_index_free(ix);
        return NULL;
    }
    return ix;
}

void arc_index_free(arc_index_t *ix)
{
    if (ix == NULL)
        return;
    for (int z = 0; z < ARC_ZONE_COUNT; z++) {
        for (int k = 0; k < ARC_KEY_KIND_COUNT; k++)
            grid_free(&ix->grids[z][k], ix->models);
        free(ix->zone_nodes[z]);
        for (uint32_t m = 0; ix->ready[z] != NULL && m < ix->models; m++)
            arc_bitset_free(&ix->ready[z][m]);
        free(ix->ready[z]);
    }
    free(ix->pos);
    free(ix->cell_of);
    free(ix->unit_of);
    free(ix->live_models);
    free(ix->zone_pos);
    free(ix);
}

/* ---- search ----------------------------------------------------------- */

/*
 * The larger and smaller of two numbers, without a branch: these feed
 * bounds whose outcome no predictor guesses. fmax() and fmin() honour
 * NaN rules that cost a library call; the plain comparison is one SSE2
 * instruction, which gcc does not always choose on its own, so on
 * x86-64 it is asked for by name.
 */
static inline double max2(double a, double b)
{
#if defined(__x86_64__)
    __asm__("maxsd %1, %0" : "+x"(a) : "xm"(b));
    return a;
#else
    return a > b ? a : b;
#endif
}

static inline double min2(double a, double b)
{
#if defined(__x86_64__)
    __asm__("minsd %1, %0" : "+x"(a) : "xm"(b));
    return a;
#else
    return a < b ? a : b;
#endif
}

/*
 * The k best hits so far, best first, and the score a node must beat to
 * enter them (INFINITY until there are k).
 */
struct topk {
    arc_index_hit_t hit[MAX_K];
    uint32_t len;
    uint32_t k;
    double worst;
};

static inline double topk_bound(const struct topk *t)
{
    return t->worst;
}

/*
 * Offers a scored node. A search meets each node once at most (a node
 * sits in one cell, and the search reads one model's heap per cell), so
 * no node is offered twice.
 */
static void topk_offer(struct topk *t, uint32_t node, double score,
                       double rtt_ms)
{
    uint32_t i;

    if (!(score < t->worst))
        return;
    i = t->len < t->k ? t->len++ : t->len - 1;
    while (i > 0 && (score < t->hit[i - 1].score ||
                     (score == t->hit[i - 1].score &&
                      node < t->hit[i - 1].node))) {
        t->hit[i] = t->hit[i - 1];
        i--;
    }
    t->hit[i].node = node;
    t->hit[i].score = score;
    t->hit[i].rtt_ms = rtt_ms;
    if (t->len == t->k)
        t->worst = t->hit[t->len - 1].score;
}

/* What a search needs at hand while it walks. */
struct walk {
    arc_index_t *ix;
    const arc_index_query_t *q;
    const struct grid *g;
    double origin[3];      /* the origin's unit vector */
    double at_lat, at_lon; /* the origin in the grid's box units */
    double base;           /* latency score at distance zero */
    double per_km;         /* latency score per km */
    double per_lat_unit;   /* lower bound of score per box unit north */
    double per_lon_unit;   /* ... and per box unit east */
    double stale_before;   /* heartbeats before this are too old */
    double chord_per_score; /* unit-sphere chord per point of latency */
    double chord_slack;    /* 10 m of chord, for rounding */
    /* Single-precision copies for child_bounds (see float_bounds_init). */
    float f_at_lat, f_at_lon;
    float f_per_lat, f_per_lon;
    float f_base, f_slack;
    struct topk top;
    uint32_t visited;
};

/*
 * The single-precision copies that child_bounds works with, and the
 * slack that keeps its floors below the exact ones: each float
 * operation on box units of magnitude M is off by at most M * 2^-24, a
 * few of them by less than M * 2^-21; 10 m more covers the nodes' float
 * unit vectors, as in region_floor.
 */
static void float_bounds_init(struct walk *w)
{
    double magnitude = max2(max2(fabs(w->at_lat), fabs(w->at_lon)),
                            (double)QUANT_MAX);
    double per_unit = max2(w->per_lat_unit, w->per_lon_unit);

    w->f_at_lat = (float)w->at_lat;
    w->f_at_lon = (float)w->at_lon;
    w->f_per_lat = (float)w->per_lat_unit;
    w->f_per_lon = (float)w->per_lon_unit;
    w->f_base = (float)(w->base * (1.0 - 1e-6));
    w->f_slack = (float)(per_unit * magnitude * 0x1p-21 + w->per_km * 1e-2);
}

/*
 * Sets up the search's distance bound, which needs no trigonometry per
 * region. The latitude gap alone bounds the distance (meridians are the
 * shortest way between parallels). So does the longitude gap d on the
 * most poleward parallel involved, phi, shrunk by the series bound
 * sin(x) >= x - x^3/6: 2R asin(cos(phi) sin(d/2)) >= R cos(phi) d
 * (1 - d^2/24), and d is at most the widest gap from the origin to the
 * grid, so one factor serves every region. Both become score per box
 * unit of the grid.
 */
static void walk_init(struct walk *w, const struct grid *g)
{
    const arc_index_query_t *q = w->q;
    double phi = min2(89.99, max2(fabs(q->lat), g->max_abs_lat));
    double east = g->lon0 + g->cols * g->cell_deg;
    double widest = max2(fabs(q->lon - g->lon0), fabs(q->lon - east));
    double d = widest * (M_PI / 180.0);
    double cos_phi = phi == min2(89.99, g->max_abs_lat)
                         ? g->cos_max_lat /* the usual case: no cos */
                         : cos(phi * (M_PI / 180.0));
    double km_per_lon_deg = ARC_EARTH_RADIUS_KM * (M_PI / 180.0) * cos_phi *
                            (1.0 - d * d / 24.0);

    w->g = g;
    w->base = q->latency_weight * ARC_RTT_BASE_MS;
    w->per_km = q->latency_weight * 2.0 * ARC_ROUTE_INFLATION /
                ARC_FIBRE_KM_PER_MS;
    w->at_lat = (q->lat - g->lat0) / g->unit_deg;
    w->at_lon = (q->lon - g->lon0) / g->unit_deg;
    w->per_lat_unit = w->per_km * KM_PER_DEG * g->unit_deg;
    w->per_lon_unit = widest > 180.0 || km_per_lon_deg < 0.0
                          ? 0.0 /* the short way round: no bound */
                          : w->per_km * km_per_lon_deg * g->unit_deg;
    w->stale_before = (double)(q->now_us - q->heartbeat_timeout_us);
    w->chord_per_score = 1.0 / (w->per_km * ARC_EARTH_RADIUS_KM);
    w->chord_slack = 1e-2 / ARC_EARTH_RADIUS_KM;
    float_bounds_init(w);
    arc_geo_unit(q->lat, q->lon, w->origin);
}

/*
 * The smallest latency score from the origin to any point of a region's
 * box. The 10 m taken off covers the rounding of the nodes' float unit
 * vectors that visits measure with, and the part in a billion the
 * rounding of this sum.
 */
static inline double region_floor(const struct walk *w, const struct region *r)
{
    double dlat = max2(max2(r->lat_lo - w->at_lat, w->at_lat - r->lat_hi),
                       0.0);
    double dlon = max2(max2(r->lon_lo - w->at_lon, w->at_lon - r->lon_hi),
                       0.0);
    double over = max2(dlat * w->per_lat_unit, dlon * w->per_lon_unit);

    return w->base + max2(over * (1.0 - 1e-9) - w->per_km * 1e-2, 0.0);
}

/*
 * Whether a heap entry's node is live. Entries exist only for nodes up
 * and not drained, so only the heartbeat is left; the whole seconds kept
 * in its place settle it unless the timeout falls inside that second,
 * when the node itself is read.
 */
static bool place_live(const struct walk *w, const struct place *at,
                       uint32_t node)
{
    if (at->heartbeat_s != HEARTBEAT_UNKNOWN) {
        double from = (double)at->heartbeat_s * US_PER_S;

        if (from >= w->stale_before)
            return true;
        if (from + US_PER_S <= w->stale_before)
            return false;
    }
    return arc_node_is_live(arc_mesh_node(w->ix->mesh, node), w->q->now_us,
                            w->q->heartbeat_timeout_us);
}

/* Scores an entry that passed the chord test, if its node is live. */
static inline __attribute__((always_inline)) void
score_entry(struct walk *w, const struct entry *e, const struct place *at,
            double key)
{
    double rtt;

    if (!place_live(w, at, e->node))
        return;
    rtt = arc_geo_rtt_ms(arc_geo_chord_km(arc_geo_chord(w->origin, at->unit)));
    w->visited++;
    topk_offer(&w->top, e->node, w->q->latency_weight * rtt + key, rtt);
}

/*
 * Scores a heap's entry, whose place is given when the heap keeps
 * places (NULL: the kinds ranked by key alone take the unit vector the
 * index keeps per node, and ask the node whether it is live). The chord
 * to the node is a lower bound of the arc, so a node whose bound cannot
 * enter the top k is dropped before the asin and before its liveness is
 * asked. The test compares squared chords, so the square root waits
 * for the few nodes that pass. Most visits end at that test, so the
 * walks take it inline rather than paying for a call. `keyed` is a
 * constant in each copy the compiler makes.
 */
static inline __attribute__((always_inline)) void
visit(struct walk *w, const struct entry *e, const struct place *at,
      bool keyed)
{
    double key = keyed ? (double)e->key : 0.0;
    double room = topk_bound(&w->top) - w->base - key;
    double reach = max2(room * w->chord_per_score + w->chord_slack, 0.0);
    struct place read;

    if (at == NULL) {
        memcpy(read.unit, w->ix->unit_of[e->node], sizeof(read.unit));
        read.heartbeat_s = HEARTBEAT_UNKNOWN;
        at = &read;
    }
    if (arc_geo_chord2(w->origin, at->unit) >= reach * reach)
        return;
    score_entry(w, e, at, key);
}

static inline const struct place *place_at(const struct heap *h,
                                           uint32_t slot)
{
    return h->at != NULL ? &h->at[slot] : NULL;
}

/* Scans a whole heap: for latency-only ranking, where keys say nothing. */
static void walk_all(struct walk *w, const struct heap *h, double floor)
{
    for (uint32_t i = 0; i < h->len && floor < topk_bound(&w->top); i++)
        visit(w, &h->e[i], place_at(h, i), false);
}

/*
 * Visits the entries of a heap that may still win, depth first from its
 * root. A heap's children never have smaller keys than their parent, so
 * once floor + key cannot beat the k-th best score, neither can anything
 * below that slot, and the walk skips the whole subtree. Of two
 * children, the one with the smaller key goes first, since it is the
 * likelier to lower the k-th best score and so prune its sibling. The
 * stack holds the siblings left behind on the path walked, at most one
 * per level. A slot whose key the bound has dropped below since it was
 * pushed is not tested again: the visit turns it away, and its
 * children, whose keys are no smaller, stay off the stack. `placed`
 * (whether the heap keeps places) is a constant in each copy the
 * compiler makes.
 */
static inline __attribute__((always_inline)) void
walk_slots(struct walk *w, const struct heap *h, double floor, bool placed)
{
    const struct entry *entries = h->e;
    const struct place *places = h->at;
    uint32_t stack[WALK_STACK];
    uint32_t len = 0;

    if (h->len == 0)
        return;
    stack[len++] = 0;
    while (len > 0) {
        uint32_t slot = stack[--len];
        uint64_t left = (uint64_t)slot * 2 + 1;
        double bound;

        if (left < h->len) {
            __builtin_prefetch(&entries[left]);
            if (placed)
                __builtin_prefetch(&places[left]);
        }
        visit(w, &entries[slot], placed ? &places[slot] : NULL, true);

        /*
         * Children go on the stack only if they can still win; the test
         * moves the stack's top rather than branching, since nothing
         * predicts it. The one that can win has the smaller key.
         */
        bound = topk_bound(&w->top) - floor;
        if (left + 1 < h->len) {
            float a = entries[left].key, b = entries[left + 1].key;
            uint32_t smaller = b < a;

            stack[len] = (uint32_t)left + 1 - smaller;
            len += (double)(a > b ? a : b) < bound;
            stack[len] = (uint32_t)left + smaller;
            len += (double)(a < b ? a : b) < bound;
        } else if (left < h->len) {
            stack[len] = (uint32_t)left;
            len += (double)entries[left].key < bound;
        }
    }
}

#if defined(__SSE2__)
/*
 * walk_slots for heaps that keep places, two siblings at a time: a
 * heap's children sit side by side, so one pass of SSE2 lanes takes
 * both chord tests. Nothing below the pair is prefetched: most of what
 * it would fetch is never visited, and at a million nodes the lines it
 * brought in cost the next searches more than the wait they saved.
 * The chords are squared in single precision, good to a few metres,
 * inside the 10 m of slack the test allows; the reach they are held to
 * is worked out in double, since it is a difference of scores. Only a
 * sibling that passes is scored, in double, as a full scan would. The
 * root is visited alone; the stack holds the first slot of each pair of
 * siblings still to test. A pair goes on it when either of its keys can
 * still win, the pair with the smaller key last, so that it comes off
 * first.
 */
static void walk_pairs(struct walk *w, const struct heap *h, double floor)
{
    const struct entry *entries = h->e;
    const struct place *places = h->at;
    const __m128 mask3 = _mm_castsi128_ps(_mm_set_epi32(0, -1, -1, -1));
    const __m128 origin = _mm_set_ps(0.0f, (float)w->origin[2],
                                     (float)w->origin[1],
                                     (float)w->origin[0]);
    const __m128d zero = _mm_setzero_pd();
    uint32_t stack[WALK_STACK];
    uint32_t len = 0;

    if (h->len == 0)
        return;
    visit(w, &entries[0], &places[0], true);
    if (h->len > 1) {
        float least = h->len > 2 && entries[2].key < entries[1].key
                          ? entries[2].key
                          : entries[1].key;

        stack[len] = 1;
        len += (double)least < topk_bound(&w->top) - floor;
    }
    while (len > 0) {
        uint32_t first = stack[--len];
        uint32_t two = first + 1 < h->len;
        uint64_t kids = (uint64_t)first * 2 + 1;
        float k0 = entries[first].key;
        float k1 = two ? entries[first + 1].key : INFINITY;
        __m128 d0, d1, sum, chord2;
        __m128d keys, room, reach;
        double limit;
        float near[4], m0, m1;
        uint32_t pass, smaller;

        /* Both squared chords: lanes x, y, z of each, summed. */
        d0 = _mm_and_ps(_mm_sub_ps(origin,
                                   _mm_loadu_ps(places[first].unit)), mask3);
        d1 = two ? _mm_loadu_ps(places[first + 1].unit) : origin;
        d1 = _mm_and_ps(_mm_sub_ps(origin, d1), mask3);
        d0 = _mm_mul_ps(d0, d0);
        d1 = _mm_mul_ps(d1, d1);
        sum = _mm_add_ps(_mm_unpacklo_ps(d0, d1), _mm_unpackhi_ps(d0, d1));
        chord2 = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));

        /* The reach each may be at and still beat the k-th best. */
        keys = _mm_set_pd((double)k1, (double)k0);
        room = _mm_sub_pd(_mm_set1_pd(topk_bound(&w->top) - w->base), keys);
        reach = _mm_add_pd(_mm_mul_pd(room, _mm_set1_pd(w->chord_per_score)),
                           _mm_set1_pd(w->chord_slack));
        reach = _mm_max_pd(reach, zero);
        reach = _mm_mul_pd(reach, reach);
        pass = (uint32_t)_mm_movemask_pd(
                   _mm_cmplt_pd(_mm_cvtps_pd(chord2), reach)) &
               (1u + 2u * two);

        for (; pass != 0; pass &= pass - 1) {
            uint32_t slot = first + (uint32_t)__builtin_ctz(pass);

            score_entry(w, &entries[slot], &places[slot],
                        (double)entries[slot].key);
        }

        /*
         * A sibling's children go on the stack as a pair when either can
         * still win, without a branch on the outcome.
         */
        limit = topk_bound(&w->top) - floor;
        if (kids + 3 < h->len) {
            near[0] = entries[kids].key;
            near[1] = entries[kids + 1].key;
            near[2] = entries[kids + 2].key;
            near[3] = entries[kids + 3].key;
        } else {
            for (uint32_t i = 0; i < 4; i++)
                near[i] = kids + i < h->len ? entries[kids + i].key
                                            : INFINITY;
        }
        m0 = near[0] < near[1] ? near[0] : near[1];
        m1 = near[2] < near[3] ? near[2] : near[3];
        smaller = m1 < m0;
        stack[len] = (uint32_t)kids + 2u * (1u - smaller);
        len += (double)(m0 > m1 ? m0 : m1) < limit;
        stack[len] = (uint32_t)kids + 2u * smaller;
        len += (double)(m0 < m1 ? m0 : m1) < limit;
    }
}
#endif

static void walk_heap(struct walk *w, const struct heap *h, double floor)
{
#if defined(__SSE2__)
    if (h->at != NULL)
        walk_pairs(w, h, floor);
#else
    if (h->at != NULL)
        walk_slots(w, h, floor, true);
#endif
    else
        walk_slots(w, h, floor, false);
}

static const struct heap *leaf_heap(const struct walk *w, uint32_t row,
                                    uint32_t col)
{
    const struct grid *g = w->g;

    return &g->heaps[((size_t)row * g->cols + col) * w->ix->models +
                     w->q->model];
}

/*
 * The four children of a region being opened: their bounds in ascending
 * order, each carrying the child's number (0 to 3) in the two lowest
 * bits of its mantissa, and their latency floors by number. An empty
 * child's bound is about NO_BOUND. Single precision: four to a
 * register, and finer than any choice the bounds make.
 */
struct ranked {
    float bound[4];
    float floor[4];
};

#define NO_BOUND 1e30f /* above any score; finite, so it can be tagged */

/*
 * Tagging. For a bound that is not negative, stepping its bits four
 * down before writing the child's number lowers it by one to seven
 * units in the last place, so it stays a lower bound (a bound of four
 * units or less becomes the number itself, at most three units: no
 * score falls in between), and one lowered by at least a unit also
 * covers half a unit of rounding from double. Sorting tagged bounds
 * sorts the children.
 */
static inline uint32_t bound_child(float bound)
{
    uint32_t bits;

    memcpy(&bits, &bound, sizeof(bits));
    return bits & 3;
}

#if defined(__SSE2__)
/*
 * The floors and bounds of a region's four children (see struct
 * ranked), worked out side by side in single precision: the regions'
 * line is transposed so that each field of the four sits in one
 * register. The results stay lower bounds: the slack set up in
 * float_bounds_init covers the distance's rounding, and each sum is
 * shrunk by a part in a million.
 */
static inline void child_bounds(const struct walk *w,
                                const struct region *child, __m128 *floor,
                                __m128 *bound)
{
    __m128 keys = _mm_load_ps((const float *)&child[0]);
    __m128 lat = _mm_load_ps((const float *)&child[1]);
    __m128 lon = _mm_load_ps((const float *)&child[2]);
    __m128 rest = _mm_load_ps((const float *)&child[3]);
    __m128i low16 = _mm_set1_epi32(0xffff);
    __m128 zero = _mm_setzero_ps(), shrink = _mm_set1_ps(1.0f - 1e-6f);
    __m128 at_lat = _mm_set1_ps(w->f_at_lat);
    __m128 at_lon = _mm_set1_ps(w->f_at_lon);
    __m128 lo, hi, dlat, dlon, over, fl;

    /* Rows become fields: keys, then each box's two 16-bit bounds. */
    _MM_TRANSPOSE4_PS(keys, lat, lon, rest);
    (void)rest;
    lo = _mm_cvtepi32_ps(_mm_and_si128(_mm_castps_si128(lat), low16));
    hi = _mm_cvtepi32_ps(_mm_srli_epi32(_mm_castps_si128(lat), 16));
    dlat = _mm_max_ps(_mm_max_ps(_mm_sub_ps(lo, at_lat),
                                 _mm_sub_ps(at_lat, hi)), zero);
    lo = _mm_cvtepi32_ps(_mm_and_si128(_mm_castps_si128(lon), low16));
    hi = _mm_cvtepi32_ps(_mm_srli_epi32(_mm_castps_si128(lon), 16));
    dlon = _mm_max_ps(_mm_max_ps(_mm_sub_ps(lo, at_lon),
                                 _mm_sub_ps(at_lon, hi)), zero);
    over = _mm_max_ps(_mm_mul_ps(dlat, _mm_set1_ps(w->f_per_lat)),
                      _mm_mul_ps(dlon, _mm_set1_ps(w->f_per_lon)));
    over = _mm_sub_ps(_mm_mul_ps(over, _mm_set1_ps(1.0f - 1e-5f)),
                      _mm_set1_ps(w->f_slack));
    fl = _mm_mul_ps(_mm_add_ps(_mm_set1_ps(w->f_base),
                               _mm_max_ps(over, zero)), shrink);

    /* Without keys an empty child still needs an infinite key. */
    if (!w->q->use_keys)
        keys = _mm_and_ps(_mm_cmpeq_ps(keys, _mm_set1_ps(INFINITY)), keys);
    *floor = fl;
    *bound = _mm_mul_ps(_mm_min_ps(_mm_add_ps(fl, keys),
                                   _mm_set1_ps(NO_BOUND)), shrink);
}

/* Lanes (0, 1) and (2, 3) put in order, then laid out as lo, lo, hi, hi. */
static inline __m128 order_lane_pairs(__m128 b)
{
    __m128 swapped = _mm_shuffle_ps(b, b, _MM_SHUFFLE(2, 3, 0, 1));
    __m128 lo = _mm_min_ps(b, swapped), hi = _mm_max_ps(b, swapped);

    return _mm_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
}

/*
 * Ranks the children of region (row, col) of a level: tags each bound
 * with its child's number and sorts the four with a network of min and
 * max operations, two stages of lane pairs and a last one for the
 * middle two. Whether a child can still win is decided by the caller,
 * in bound order, so ranking takes no branch on the data.
 */
static void rank_children(const struct walk *w, uint32_t level,
                          uint32_t row, uint32_t col, struct ranked *out)
{
    const struct grid *g = w->g;
    const struct region *child = region_at(
        &g->lv[level - 1], w->q->model, (row * g->lv[level].cols + col) * 4);
    __m128 fl, b, swapped, lo, hi;
    __m128i bits, four = _mm_set1_epi32(4);

    child_bounds(w, child, &fl, &b);

    bits = _mm_castps_si128(b);
    bits = _mm_and_si128(_mm_sub_epi32(bits, four),
                         _mm_cmpgt_epi32(bits, four));
    bits = _mm_or_si128(_mm_andnot_si128(_mm_set1_epi32(3), bits),
                        _mm_set_epi32(3, 2, 1, 0));
    b = _mm_castsi128_ps(bits);

    b = order_lane_pairs(order_lane_pairs(b));
    swapped = _mm_shuffle_ps(b, b, _MM_SHUFFLE(3, 1, 2, 0));
    lo = _mm_min_ps(b, swapped);
    hi = _mm_max_ps(b, swapped);
    b = _mm_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 2, 1, 0));

    _mm_storeu_ps(out->bound, b);
    _mm_storeu_ps(out->floor, fl);
}
#else
/* Float from double, rounded down by at least the rounding. */
static inline float below(double v)
{
    return (float)v * (1.0f - 1e-6f);
}

static inline float tag_bound(float bound, uint32_t child)
{
    uint32_t bits;

    memcpy(&bits, &bound, sizeof(bits));
    bits = bits > 4 ? bits - 4 : 0;
    bits = (bits & ~3u) | child;
    memcpy(&bound, &bits, sizeof(bound));
    return bound;
}

static inline void order_pair(float *a, float *b)
{
    float lo = *a < *b ? *a : *b, hi = *a < *b ? *b : *a;

    *a = lo;
    *b = hi;
}

/* The same as the SSE2 version, one child at a time in double. */
static void rank_children(const struct walk *w, uint32_t level,
                          uint32_t row, uint32_t col, struct ranked *out)
{
    const struct grid *g = w->g;
    const struct region *child = region_at(
        &g->lv[level - 1], w->q->model, (row * g->lv[level].cols + col) * 4);
    float *b = out->bound;

    for (uint32_t i = 0; i < 4; i++) {
        double key = (double)child[i].min_key; /* INFINITY when empty */
        double floor = region_floor(w, &child[i]);

        out->floor[i] = below(floor);
        if (w->q->use_keys)
            b[i] = below(min2(floor + key, NO_BOUND));
        else
            b[i] = key == INFINITY ? NO_BOUND : out->floor[i];
        b[i] = tag_bound(b[i], i);
    }
    order_pair(&b[0], &b[1]);
    order_pair(&b[2], &b[3]);
    order_pair(&b[0], &b[2]);
    order_pair(&b[1], &b[3]);
    order_pair(&b[1], &b[2]);
}
#endif

/*
 * Asks the memory for what opening the children will read, so that
 * their misses overlap instead of following one another.
 */
static void prefetch_children(const struct walk *w, uint32_t level,
                              uint32_t row, uint32_t col,
                              const struct ranked *kids, uint32_t n)
{
    const struct grid *g = w->g;

    for (uint32_t i = 0; i < n; i++) {
        uint32_t c = bound_child(kids->bound[i]);
        uint32_t r = 2u * row + (c >> 1), k = 2u * col + (c & 1);

        if (level > 1) {
            const struct level *below = &g->lv[level - 1];

            __builtin_prefetch(region_at(&g->lv[level - 2], w->q->model,
                                         (r * below->cols + k) * 4));
        } else {
            const struct heap *h = leaf_heap(w, r, k);

            __builtin_prefetch(h->e);
            __builtin_prefetch(h->at);
        }
    }
}

/*
 * Not yet: a million decisions a second at a million nodes, 1.04-1.24x
 * away. What a decision costs now is mostly its instructions and the
 * branches no predictor guesses: the regions and heap slots a walk must
 * score before it can prove its fourth-best (docs/performance.md).
 */

/*
 * Searches region (row, col) of a level, whose latency floor is given:
 * a leaf walks its heap; any other region opens its children best bound
 * first, and stops at the first that cannot beat the k-th best score.
 * Depth is bounded by the pyramid's levels.
 */
static void dive(struct walk *w, uint32_t level, uint32_t row, uint32_t col,
                 double floor)
{
    struct ranked kids;
    double best;
    uint32_t n;

    if (level == 0) {
        const struct heap *h = leaf_heap(w, row, col);

        if (w->q->use_keys)
            walk_heap(w, h, floor);
        else
            walk_all(w, h, floor);
        return;
    }

    rank_children(w, level, row, col, &kids);
    best = min2(topk_bound(&w->top), 0.5 * NO_BOUND); /* never the empty */
    n = (kids.bound[0] < best) + (kids.bound[1] < best) +
        (kids.bound[2] < best) + (kids.bound[3] < best);
    prefetch_children(w, level, row, col, &kids, n);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t c = bound_child(kids.bound[i]);

        if (kids.bound[i] >= topk_bound(&w->top))
            break;
        dive(w, level - 1, 2u * row + (c >> 1), 2u * col + (c & 1),
             kids.floor[c]);
    }
}

static void descend(struct walk *w)
{
    const struct grid *g = w->g;
    const struct region *top =
        region_at(&g->lv[g->levels - 1], w->q->model, 0);

    if (top->min_key == INFINITY)
        return;
    dive(w, g->levels - 1, 0, 0, region_floor(w, top));
}

uint32_t arc_index_search(arc_index_t *ix, const arc_index_query_t *q,
                          arc_index_hit_t *hits, uint32_t k,
                          uint32_t *visited)
{
    struct walk w; /* walk_init and the lines after it set what is read */
    arc_key_kind_t kind = q->kind;

    if (ix->dirty && rebuild(ix) != ARC_OK)
        return 0;
    if (q->zone >= ARC_ZONE_COUNT || q->kind >= ARC_KEY_KIND_COUNT ||
        q->model >= ix->models || k == 0)
        return 0;
    if (kind == ARC_KEY_SCORE && q->latency_weight < WIDE_WEIGHT)
        kind = ARC_KEY_SCORE_WIDE;
    w.ix = ix;
    w.q = q;
    walk_init(&w, &ix->grids[q->zone][kind]);
    w.top.len = 0;
    w.top.k = k > MAX_K ? MAX_K : k;
    w.top.worst = INFINITY;
    w.visited = 0;

    descend(&w);

    for (uint32_t i = 0; i < w.top.len; i++)
        hits[i] = w.top.hit[i];
    if (visited != NULL)
        *visited = w.visited;
    return w.top.len;
}

uint32_t arc_index_model_nodes(const arc_index_t *ix, arc_zone_t zone,
                               uint32_t model)
{
    if (zone >= ARC_ZONE_COUNT || model >= ix->models)
        return 0;
    return ix->model_nodes[zone][model];
}

const uint32_t *arc_index_zone_nodes(arc_index_t *ix, arc_zone_t zone,
                                     uint32_t *count)
{
    if ((ix->dirty && rebuild(ix) != ARC_OK) || zone >= ARC_ZONE_COUNT) {
        *count = 0;
        return NULL;
    }
    *count = ix->zone_len[zone];
    return ix->zone_nodes[zone];
}

uint32_t arc_index_next_ready(arc_index_t *ix, arc_zone_t zone,
                              uint32_t model, uint32_t from)
{
    if (ix->dirty && rebuild(ix) != ARC_OK)
        return ARC_INDEX_NONE;
    if (zone >= ARC_ZONE_COUNT || model >= ix->models)
        return ARC_INDEX_NONE;
    return arc_bitset_next(&ix->ready[zone][model], from);
}

size_t arc_index_bytes(const arc_index_t *ix)
{
    size_t bytes = sizeof(*ix);

    bytes += (size_t)ix->node_cap *
             (sizeof(uint32_t) * ix->models * ARC_KEY_KIND_COUNT +
              sizeof(*ix->cell_of) + 2 * sizeof(uint32_t) +
              sizeof(*ix->unit_of));
    for (int z = 0; z < ARC_ZONE_COUNT; z++) {
        bytes += ix->zone_cap[z] * sizeof(uint32_t);
        for (uint32_t m = 0; m < ix->models; m++)
            bytes += sizeof(arc_bitset_t) +
                     arc_bitset_bytes(&ix->ready[z][m]);
        for (int k = 0; k < ARC_KEY_KIND_COUNT; k++) {
            const struct grid *g = &ix->grids[z][k];
            size_t cells = (size_t)g->rows * g->cols;

            bytes += cells * ix->models * sizeof(struct heap);
            for (size_t i = 0; i < cells * ix->models; i++)
                bytes += g->heaps[i].cap *
                         (sizeof(struct entry) +
                          (g->heaps[i].at != NULL ? sizeof(struct place)
                                                  : 0));
            bytes += g->levels * sizeof(*g->lv);
            for (uint32_t l = 0; l < g->levels; l++)
                bytes += (size_t)g->lv[l].slots * ix->models *
                         sizeof(struct region);
        }
    }
    return bytes;
}
