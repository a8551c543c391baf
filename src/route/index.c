/*
 * index.c - grids of per-cell, per-model key heaps, and the outward
 * search over them (see index.h for the idea).
 *
 * Layout. Each (zone, key kind) has a grid. The kinds ranked by distance
 * have square cells sized so an average cell holds about CELL_TARGET
 * nodes of the zone (both get the same layout, so one cell number per
 * node serves both); the kinds ranked by key alone use one cell.
 * Each cell has one binary min-heap per model; a heap entry is the key
 * and the node (8 bytes), and pos[] maps (node, model, kind) back to the
 * entry's slot so a change moves one entry in O(log n).
 *
 * Search bound. A cell's lower bound is the latency weight times the
 * round trip to the nearest point of its nodes' bounding box, using a
 * trig-free distance bound (see lower_bound_km); keys are never
 * negative. Rings of cells around the origin's cell only get farther in
 * both axes, so once a whole ring's bound reaches the k-th best score,
 * no later ring can do better.
 *
 * Growth. A node added outside its zone's grid marks the index dirty and
 * the next search rebuilds it: O(N log N) once per batch of additions.
 * Owned by the router's thread.
 */
#include "route/index.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/geo.h"

#define CELL_TARGET 64
#define NO_POS UINT32_MAX
#define MAX_K 8
#define KM_PER_DEG 111.19492664 /* on the mean-radius sphere */
#define WALK_MAX 256

struct entry {
    float key;
    uint32_t node;
};

struct heap {
    struct entry *e;
    uint32_t len;
    uint32_t cap;
};

/* Bounding box of the nodes placed in a cell (lo > hi when empty). */
struct cell {
    float lat_lo, lat_hi, lon_lo, lon_hi;
};

/*
 * One level of a grid's pyramid. Level 0 is the leaf cells; each level
 * above halves the rows and columns, up to a single cell. Every cell
 * keeps its nodes' bounding box and, per model, the smallest key among
 * them, so a search can bound a whole region at once. Keys are stored
 * model by model, so neighbouring cells of the one model a search asks
 * about share cache lines.
 */
struct level {
    uint32_t rows, cols;
    struct cell *box;   /* rows * cols */
    float *min_key;     /* rows * cols * models; INFINITY when empty */
};

#define MAX_LEVELS 32

struct grid {
    double lat0, lon0, cell_deg; /* south-west corner, leaf cell size */
    double max_abs_lat;          /* over the grid's rectangle */
    uint32_t rows, cols;         /* leaf cells */
    struct heap *heaps;          /* rows * cols * models */
    uint32_t levels;
    struct level lv[MAX_LEVELS];
};

/* A region waiting to be searched, ordered by its lower bound. */
struct pending {
    double bound;   /* latency floor plus smallest key */
    double floor;   /* latency floor alone */
    uint32_t level;
    uint32_t cell;
};

struct arc_index {
    const arc_mesh_t *mesh;
    arc_index_key_fn key_fn;
    void *key_ctx;
    uint32_t models;

    struct grid grids[ARC_ZONE_COUNT][ARC_KEY_KIND_COUNT];
    uint32_t *pos;        /* [node][model][kind]: heap slot or NO_POS */
    uint32_t *cell_of;    /* [node]: cell in its zone's scored grid */
    uint32_t *live_models; /* [node]: models counted in model_nodes */
    uint32_t node_cap;    /* length of the per-node arrays */
    uint32_t known;       /* nodes seen so far (indexes 0..known-1) */

    uint32_t model_nodes[ARC_ZONE_COUNT][ARC_MAX_MODELS];
    uint32_t *zone_nodes[ARC_ZONE_COUNT];
    uint32_t zone_len[ARC_ZONE_COUNT];
    uint32_t zone_cap[ARC_ZONE_COUNT];

    bool dirty;           /* a node fell outside its grid: rebuild */

    struct pending *frontier; /* reused by every search */
    uint32_t frontier_cap;
};

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

static void heap_place(arc_index_t *ix, struct heap *h, uint32_t slot,
                       struct entry e, uint32_t model, arc_key_kind_t kind)
{
    h->e[slot] = e;
    *pos_of(ix, e.node, model, kind) = slot;
}

static void sift_up(arc_index_t *ix, struct heap *h, uint32_t slot,
                    uint32_t model, arc_key_kind_t kind)
{
    struct entry e = h->e[slot];

    while (slot > 0) {
        uint32_t parent = (slot - 1) / 2;

        if (!entry_less(&e, &h->e[parent]))
            break;
        heap_place(ix, h, slot, h->e[parent], model, kind);
        slot = parent;
    }
    heap_place(ix, h, slot, e, model, kind);
}

static void sift_down(arc_index_t *ix, struct heap *h, uint32_t slot,
                      uint32_t model, arc_key_kind_t kind)
{
    struct entry e = h->e[slot];

    for (;;) {
        uint32_t child = slot * 2 + 1;

        if (child >= h->len)
            break;
        if (child + 1 < h->len && entry_less(&h->e[child + 1], &h->e[child]))
            child++;
        if (!entry_less(&h->e[child], &e))
            break;
        heap_place(ix, h, slot, h->e[child], model, kind);
        slot = child;
    }
    heap_place(ix, h, slot, e, model, kind);
}

static arc_status_t heap_insert(arc_index_t *ix, struct heap *h,
                                struct entry e, uint32_t model,
                                arc_key_kind_t kind)
{
    if (h->len == h->cap) {
        uint32_t cap = h->cap ? h->cap * 2 : 4;
        struct entry *grown = realloc(h->e, sizeof(*grown) * cap);

        if (grown == NULL)
            return ARC_ERR_NOMEM;
        h->e = grown;
        h->cap = cap;
    }
    h->e[h->len] = e;
    h->len++;
    sift_up(ix, h, h->len - 1, model, kind);
    return ARC_OK;
}

static void heap_remove(arc_index_t *ix, struct heap *h, uint32_t slot,
                        uint32_t model, arc_key_kind_t kind)
{
    uint32_t node = h->e[slot].node;

    h->len--;
    if (slot != h->len) {
        struct entry moved = h->e[h->len];

        heap_place(ix, h, slot, moved, model, kind);
        sift_up(ix, h, slot, model, kind);
        sift_down(ix, h, *pos_of(ix, moved.node, model, kind), model, kind);
    }
    *pos_of(ix, node, model, kind) = NO_POS;
}

static void heap_rekey(arc_index_t *ix, struct heap *h, uint32_t slot,
                       float key, uint32_t model, arc_key_kind_t kind)
{
    uint32_t node = h->e[slot].node;

    h->e[slot].key = key;
    sift_up(ix, h, slot, model, kind);
    sift_down(ix, h, *pos_of(ix, node, model, kind), model, kind);
}

/* ---- grids ------------------------------------------------------------ */

static void grid_free(struct grid *g, uint32_t models)
{
    size_t cells = (size_t)g->rows * g->cols;

    for (size_t i = 0; g->heaps != NULL && i < cells * models; i++)
        free(g->heaps[i].e);
    free(g->heaps);
    for (uint32_t l = 0; l < g->levels; l++) {
        free(g->lv[l].box);
        free(g->lv[l].min_key);
    }
    memset(g, 0, sizeof(*g));
}

static arc_status_t level_init(struct level *lv, uint32_t rows,
                               uint32_t cols, uint32_t models)
{
    size_t cells = (size_t)rows * cols;

    lv->rows = rows;
    lv->cols = cols;
    lv->box = malloc(sizeof(*lv->box) * cells);
    lv->min_key = malloc(sizeof(*lv->min_key) * cells * models);
    if (lv->box == NULL || lv->min_key == NULL)
        return ARC_ERR_NOMEM;
    for (size_t i = 0; i < cells; i++) {
        lv->box[i].lat_lo = lv->box[i].lon_lo = INFINITY;
        lv->box[i].lat_hi = lv->box[i].lon_hi = -INFINITY;
    }
    for (size_t i = 0; i < cells * models; i++)
        lv->min_key[i] = INFINITY;
    return ARC_OK;
}

/* Lays out a grid over a box, `cells_wanted` cells (at least one). */
static arc_status_t grid_init(struct grid *g, double lat_lo, double lat_hi,
                              double lon_lo, double lon_hi,
                              uint32_t cells_wanted, uint32_t models)
{
    double span_lat = fmax(lat_hi - lat_lo, 0.01);
    double span_lon = fmax(lon_hi - lon_lo, 0.01);
    double size;
    uint32_t rows, cols;

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

    g->heaps = calloc((size_t)g->rows * g->cols * models, sizeof(*g->heaps));
    if (g->heaps == NULL)
        return ARC_ERR_NOMEM;
    rows = g->rows;
    cols = g->cols;
    for (;;) {
        if (level_init(&g->lv[g->levels++], rows, cols, models) != ARC_OK)
            return ARC_ERR_NOMEM;
        if ((rows == 1 && cols == 1) || g->levels == MAX_LEVELS)
            break;
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

static void cell_extend(struct cell *c, double lat, double lon)
{
    c->lat_lo = fminf(c->lat_lo, (float)lat);
    c->lat_hi = fmaxf(c->lat_hi, (float)lat);
    c->lon_lo = fminf(c->lon_lo, (float)lon);
    c->lon_hi = fmaxf(c->lon_hi, (float)lon);
}

/* Grows the boxes of a leaf cell and of every cell above it. */
static void grid_extend(struct grid *g, uint32_t cell, double lat,
                        double lon)
{
    uint32_t row = cell / g->cols, col = cell % g->cols;

    for (uint32_t l = 0; l < g->levels; l++) {
        struct level *lv = &g->lv[l];

        cell_extend(&lv->box[(row >> l) * lv->cols + (col >> l)], lat, lon);
    }
}

/*
 * Re-reads the smallest key of a leaf's heap and carries a change up the
 * pyramid, stopping at the first level it leaves unchanged.
 */
static void refresh_min(struct grid *g, const struct heap *h, uint32_t cell,
                        uint32_t model, uint32_t models)
{
    uint32_t row = cell / g->cols, col = cell % g->cols;
    float key = h->len ? h->e[0].key : INFINITY;

    (void)models;

    size_t leaf = (size_t)model * g->rows * g->cols + cell;

    if (g->lv[0].min_key[leaf] == key)
        return;
    g->lv[0].min_key[leaf] = key;

    for (uint32_t l = 1; l < g->levels; l++) {
        const struct level *below = &g->lv[l - 1];
        struct level *lv = &g->lv[l];
        uint32_t r = row >> l, c = col >> l;
        float *slot = &lv->min_key[(size_t)model * lv->rows * lv->cols +
                                   (size_t)r * lv->cols + c];
        float least = INFINITY;

        for (uint32_t dr = 0; dr < 2; dr++) {
            for (uint32_t dc = 0; dc < 2; dc++) {
                uint32_t cr = 2 * r + dr, cc = 2 * c + dc;

                if (cr < below->rows && cc < below->cols)
                    least = fminf(least,
                                  below->min_key[(size_t)model * below->rows *
                                                     below->cols +
                                                 (size_t)cr * below->cols +
                                                 cc]);
            }
        }
        if (*slot == least)
            return;
        *slot = least;
    }
}

/* ---- per-node bookkeeping -------------------------------------------- */

static arc_status_t grow_nodes(arc_index_t *ix, uint32_t need)
{
    uint32_t cap = ix->node_cap ? ix->node_cap : (need > 16 ? need : 16);
    size_t per = (size_t)ix->models * ARC_KEY_KIND_COUNT;
    uint32_t *pos, *cell_of, *live;

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
    live = realloc(ix->live_models, sizeof(*live) * cap);
    if (live == NULL)
        return ARC_ERR_NOMEM;
    ix->live_models = live;

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
        ix->zone_cap[zone] = cap;
    }
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
        if (!grid_contains(g, n->lat, n->lon)) {
            ix->dirty = true;
            ix->cell_of[i] = 0;
            continue;
        }
        ix->cell_of[i] = grid_row(g, n->lat) * g->cols + grid_col(g, n->lon);
        for (int k = 0; k < ARC_KEY_KIND_COUNT; k++)
            grid_extend(&ix->grids[n->zone][k],
                        ARC_KEY_GEOGRAPHIC(k) ? ix->cell_of[i] : 0, n->lat,
                        n->lon);
    }
    ix->known = count;
    return ARC_OK;
}

/* ---- building and updating ------------------------------------------- */

static arc_status_t update_node(arc_index_t *ix, uint32_t node);

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
            uint32_t cells = ARC_KEY_GEOGRAPHIC(k)
                                 ? per_zone[z] / CELL_TARGET
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
    return ARC_OK;
}

static struct heap *heap_for(arc_index_t *ix, const arc_node_t *n,
                             uint32_t node, uint32_t model,
                             arc_key_kind_t kind)
{
    struct grid *g = &ix->grids[n->zone][kind];
    uint32_t cell = ARC_KEY_GEOGRAPHIC(kind) ? ix->cell_of[node] : 0;

    return &g->heaps[(size_t)cell * ix->models + model];
}

static void count_live_models(arc_index_t *ix, const arc_node_t *n,
                              uint32_t node)
{
    bool live = n->status == ARC_NODE_UP && !n->admin_drained;
    uint32_t now = live ? n->models : 0;
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

static arc_status_t update_node(arc_index_t *ix, uint32_t node)
{
    const arc_node_t *n = arc_mesh_node(ix->mesh, node);

    count_live_models(ix, n, node);
    for (uint32_t m = 0; m < ix->models; m++) {
        for (int k = 0; k < ARC_KEY_KIND_COUNT; k++) {
            struct heap *h = heap_for(ix, n, node, m, k);
            uint32_t slot = *pos_of(ix, node, m, k);
            float key = 0.0f;
            bool eligible = ix->key_fn(ix->key_ctx, n, m, k, &key);
            struct entry e = {key, node};

            if (eligible && slot == NO_POS) {
                if (heap_insert(ix, h, e, m, k) != ARC_OK)
                    return ARC_ERR_NOMEM;
            } else if (eligible) {
                heap_rekey(ix, h, slot, key, m, k);
            } else if (slot != NO_POS) {
                heap_remove(ix, h, slot, m, k);
            } else {
                continue;
            }
            refresh_min(&ix->grids[n->zone][k], h,
                        ARC_KEY_GEOGRAPHIC(k) ? ix->cell_of[node] : 0, m,
                        ix->models);
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
    }
    free(ix->pos);
    free(ix->cell_of);
    free(ix->live_models);
    free(ix->frontier);
    free(ix);
}

/* ---- search ----------------------------------------------------------- */

/* Plain comparisons: fmax() is a library call when NaN rules apply. */
static inline double max2(double a, double b)
{
    return a > b ? a : b;
}

/* The k best hits so far, best first. */
struct topk {
    arc_index_hit_t hit[MAX_K];
    uint32_t len;
    uint32_t k;
};

static double topk_bound(const struct topk *t)
{
    return t->len < t->k ? INFINITY : t->hit[t->len - 1].score;
}

static void topk_offer(struct topk *t, uint32_t node, double score,
                       double rtt_ms)
{
    uint32_t i;

    for (i = 0; i < t->len; i++) {
        if (t->hit[i].node == node)
            return;
    }
    if (t->len == t->k && !(score < t->hit[t->len - 1].score))
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
}

/* What a search needs at hand while it walks. */
struct walk {
    arc_index_t *ix;
    const arc_index_query_t *q;
    double cos_max;        /* cos of the most poleward latitude involved */
    struct topk top;
    uint32_t visited;
};

/*
 * A lower bound of the great-circle km from the origin to any point of a
 * box, without trigonometry per box. The latitude gap alone is a bound
 * (meridians are the shortest way between parallels). So is the
 * longitude gap on the most poleward parallel involved, shrunk by the
 * series bound sin(x) >= x - x^3/6: 2R asin(cos(phi) sin(d/2)) >=
 * R cos(phi) d (1 - d^2/24).
 */
static double lower_bound_km(const struct walk *w, double lat_lo,
                             double lat_hi, double lon_lo, double lon_hi)
{
    double lat = w->q->lat, lon = w->q->lon;
    double dlat = max2(0.0, max2(lat_lo - lat, lat - lat_hi));
    double dlon = max2(0.0, max2(lon_lo - lon, lon - lon_hi));
    double d, by_lon;

    if (dlon > 180.0)
        dlon = 0.0; /* the short way round: give up on this axis */
    d = dlon * (M_PI / 180.0);
    by_lon = ARC_EARTH_RADIUS_KM * w->cos_max * d * (1.0 - d * d / 24.0);
    return max2(dlat * KM_PER_DEG, by_lon) * (1.0 - 1e-9) - 1e-3;
}

static double latency_score(const struct walk *w, double km)
{
    if (km < 0.0)
        km = 0.0;
    return w->q->latency_weight *
           (ARC_RTT_BASE_MS + km * (2.0 * ARC_ROUTE_INFLATION /
                                    ARC_FIBRE_KM_PER_MS));
}

static void visit(struct walk *w, const struct entry *e)
{
    const arc_node_t *n = arc_mesh_node(w->ix->mesh, e->node);
    double km, rtt, score;

    if (!arc_node_is_live(n, w->q->now_us, w->q->heartbeat_timeout_us))
        return;
    km = arc_geo_distance_km(w->q->lat, w->q->lon, n->lat, n->lon);
    rtt = arc_geo_rtt_ms(km);
    score = w->q->latency_weight * rtt;
    if (w->q->use_keys)
        score += (double)e->key;
    w->visited++;
    topk_offer(&w->top, e->node, score, rtt);
}

/* Scans a whole heap: for latency-only ranking, or a very deep walk. */
static void walk_all(struct walk *w, const struct heap *h, double floor)
{
    for (uint32_t i = 0; i < h->len; i++) {
        double key = w->q->use_keys ? (double)h->e[i].key : 0.0;

        if (floor + key < topk_bound(&w->top))
            visit(w, &h->e[i]);
    }
}

/*
 * Visits a heap's entries in key order without disturbing it: a small
 * frontier of slots, smallest key first, whose children join it as each
 * is visited. Stops when floor + key can no longer beat the bound.
 */
static void walk_ordered(struct walk *w, const struct heap *h, double floor)
{
    uint32_t frontier[WALK_MAX];
    uint32_t len = 1;

    frontier[0] = 0;
    while (len > 0) {
        uint32_t best = 0, slot;

        for (uint32_t i = 1; i < len; i++) {
            if (entry_less(&h->e[frontier[i]], &h->e[frontier[best]]))
                best = i;
        }
        slot = frontier[best];
        frontier[best] = frontier[--len];
        if (floor + (double)h->e[slot].key >= topk_bound(&w->top))
            return;
        visit(w, &h->e[slot]);

        for (uint32_t c = slot * 2 + 1; c <= slot * 2 + 2; c++) {
            if (c >= h->len)
                continue;
            if (len == WALK_MAX) {
                walk_all(w, h, floor);
                return;
            }
            frontier[len++] = c;
        }
    }
}

/* ---- the frontier: regions by lower bound ---------------------------- */

static arc_status_t frontier_push(arc_index_t *ix, uint32_t *len,
                                  struct pending p)
{
    uint32_t i;

    if (*len == ix->frontier_cap) {
        uint32_t cap = ix->frontier_cap ? ix->frontier_cap * 2 : 64;
        struct pending *grown = realloc(ix->frontier, sizeof(*grown) * cap);

        if (grown == NULL)
            return ARC_ERR_NOMEM;
        ix->frontier = grown;
        ix->frontier_cap = cap;
    }
    for (i = (*len)++; i > 0; i = (i - 1) / 2) {
        if (ix->frontier[(i - 1) / 2].bound <= p.bound)
            break;
        ix->frontier[i] = ix->frontier[(i - 1) / 2];
    }
    ix->frontier[i] = p;
    return ARC_OK;
}

static struct pending frontier_pop(arc_index_t *ix, uint32_t *len)
{
    struct pending top = ix->frontier[0];
    struct pending last = ix->frontier[--(*len)];
    uint32_t i = 0;

    for (;;) {
        uint32_t child = 2 * i + 1;

        if (child >= *len)
            break;
        if (child + 1 < *len &&
            ix->frontier[child + 1].bound < ix->frontier[child].bound)
            child++;
        if (ix->frontier[child].bound >= last.bound)
            break;
        ix->frontier[i] = ix->frontier[child];
        i = child;
    }
    if (*len > 0)
        ix->frontier[i] = last;
    return top;
}

/* Queues one cell of a level if it may hold something better. */
static arc_status_t consider(struct walk *w, const struct grid *g,
                             uint32_t level, uint32_t cell, uint32_t *len)
{
    const struct level *lv = &g->lv[level];
    const struct cell *box = &lv->box[cell];
    float key = lv->min_key[(size_t)w->q->model * lv->rows * lv->cols +
                            cell];
    struct pending p;

    if (key == INFINITY || box->lat_lo > box->lat_hi)
        return ARC_OK;
    p.floor = latency_score(w, lower_bound_km(w, box->lat_lo, box->lat_hi,
                                              box->lon_lo, box->lon_hi));
    p.bound = p.floor + (w->q->use_keys ? (double)key : 0.0);
    if (p.bound >= topk_bound(&w->top))
        return ARC_OK;
    p.level = level;
    p.cell = cell;
    return frontier_push(w->ix, len, p);
}

/*
 * Best-first descent of the pyramid: always open the region with the
 * smallest bound; at a leaf, walk its heap. When the smallest bound left
 * cannot beat the k-th best score, nothing left can.
 */
static void descend(struct walk *w, const struct grid *g)
{
    const struct level *top = &g->lv[g->levels - 1];
    uint32_t len = 0;

    for (uint32_t c = 0; c < top->rows * top->cols; c++) {
        if (consider(w, g, g->levels - 1, c, &len) != ARC_OK)
            return;
    }
    while (len > 0) {
        struct pending p = frontier_pop(w->ix, &len);
        const struct level *below;
        uint32_t r, c;

        if (p.bound >= topk_bound(&w->top))
            break;
        if (p.level == 0) {
            const struct heap *h =
                &g->heaps[(size_t)p.cell * w->ix->models + w->q->model];

            if (w->q->use_keys)
                walk_ordered(w, h, p.floor);
            else
                walk_all(w, h, p.floor);
            continue;
        }
        below = &g->lv[p.level - 1];
        r = p.cell / g->lv[p.level].cols;
        c = p.cell % g->lv[p.level].cols;
        for (uint32_t cr = 2 * r; cr <= 2 * r + 1 && cr < below->rows; cr++) {
            for (uint32_t cc = 2 * c; cc <= 2 * c + 1 && cc < below->cols;
                 cc++) {
                if (consider(w, g, p.level - 1, cr * below->cols + cc,
                             &len) != ARC_OK)
                    return;
            }
        }
    }
}

uint32_t arc_index_search(arc_index_t *ix, const arc_index_query_t *q,
                          arc_index_hit_t *hits, uint32_t k,
                          uint32_t *visited)
{
    struct walk w = {.ix = ix, .q = q};
    const struct grid *g;

    if (ix->dirty && rebuild(ix) != ARC_OK)
        return 0;
    if (q->zone >= ARC_ZONE_COUNT || q->kind >= ARC_KEY_KIND_COUNT ||
        q->model >= ix->models || k == 0)
        return 0;
    g = &ix->grids[q->zone][q->kind];
    w.top.k = k > MAX_K ? MAX_K : k;
    w.cos_max = cos(fmin(89.99, fmax(fabs(q->lat), g->max_abs_lat)) *
                    (M_PI / 180.0));

    descend(&w, g);

    memcpy(hits, w.top.hit, sizeof(*hits) * w.top.len);
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

const uint32_t *arc_index_zone_nodes(const arc_index_t *ix, arc_zone_t zone,
                                     uint32_t *count)
{
    if (zone >= ARC_ZONE_COUNT) {
        *count = 0;
        return NULL;
    }
    *count = ix->zone_len[zone];
    return ix->zone_nodes[zone];
}

size_t arc_index_bytes(const arc_index_t *ix)
{
    size_t bytes = sizeof(*ix);

    bytes += ix->frontier_cap * sizeof(struct pending);
    bytes += (size_t)ix->node_cap *
             (sizeof(uint32_t) * ix->models * ARC_KEY_KIND_COUNT +
              2 * sizeof(uint32_t));
    for (int z = 0; z < ARC_ZONE_COUNT; z++) {
        bytes += ix->zone_cap[z] * sizeof(uint32_t);
        for (int k = 0; k < ARC_KEY_KIND_COUNT; k++) {
            const struct grid *g = &ix->grids[z][k];
            size_t cells = (size_t)g->rows * g->cols;

            bytes += cells * ix->models * sizeof(struct heap);
            for (size_t i = 0; i < cells * ix->models; i++)
                bytes += g->heaps[i].cap * sizeof(struct entry);
            for (uint32_t l = 0; l < g->levels; l++)
                bytes += (size_t)g->lv[l].rows * g->lv[l].cols *
                         (sizeof(struct cell) + ix->models * sizeof(float));
        }
    }
    return bytes;
}
