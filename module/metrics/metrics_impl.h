/*
 * metrics_impl.h -- what the metrics share inside module/metrics: a
 * prepared query (facts, rules, scope, T) and the steps every metric uses.
 */
#ifndef PROOFLINE_METRICS_IMPL_H
#define PROOFLINE_METRICS_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <cJSON.h>

#include "metrics/facts.h"
#include "metrics/metrics.h"
#include "rules/ruledesc.h"

#define MQ_RULE_STAGES 31 /* stages in rule order the bit masks hold */

struct mq {
    struct ctx *cx;
    struct facts *f;
    struct ruledesc rd;
    const cJSON *th; /* the rules' metric thresholds */
    int nrule;       /* stages in rule order (at most MQ_RULE_STAGES) */
    const cJSON *rule[MQ_RULE_STAGES];
    uint8_t rule_num[MQ_RULE_STAGES]; /* their facts numbers */
    int order[256];                   /* facts number -> rule order, -1 */
    bool open[256], lost[256];        /* (FACTS_NONE8 included) */
    bool *in_scope;                   /* per user number */
    uint16_t *by_id;                  /* user numbers sorted by user id */
    enum metrics_scope scope;
    int64_t scope_id; /* 0 for the company */
    bool now;         /* T = now (no as_of) */
    int64_t hi;       /* T: facts with at < hi are "by T" */
    struct tm tday;   /* T's local day */
    char as_of[11], t_text[32];
};

/* Prepare: facts caught up, rules, scope checked against the caller. */
APP_MUST_USE enum app_err mq_open(struct ctx *cx, const struct metrics_query *q,
                                  struct mq *m);

/* Fill m->by_id (the metrics that list people call it). */
APP_MUST_USE enum app_err mq_sort_users(struct mq *m);

/* Release what mq_open took (the scope mask). */
void mq_close(struct mq *m);

/* The customer's owner is in scope. */
static inline bool
mq_in_scope(const struct mq *m, uint32_t c)
{
    uint16_t o = m->f->cust_owner[c];

    return o != FACTS_NONE16 && m->in_scope[o];
}

/* Every customer's stage at T (FACTS_NONE8: did not exist), malloc'd. */
uint8_t *mq_stage_at(const struct mq *m);

/* Per customer: 1 when it has an activity (effective ones only when eff)
 * with at in [lo, hi); malloc'd. */
uint8_t *mq_marks(const struct mq *m, int64_t lo, bool eff);

/* The window [from, to) of q in seconds (defaults: the 30 days up to T's
 * day), its days as text, and the previous window of equal length. */
struct mq_window {
    int64_t lo, hi, prev_lo;
    char from[11], to[11], prev_from[11];
};
APP_MUST_USE enum app_err mq_window(struct mq *m, const struct metrics_query *q,
                                    bool inclusive, struct mq_window *w);

/* Local midnight of the day `days` after (y, m, d), and its text. */
int64_t mq_midnight(const struct mq *m, int y, int mo, int d, int days,
                    char *text);

/* A threshold from the rules ("stage_health", "healthy"), or def. */
double mq_threshold(const struct mq *m, const char *group, const char *key,
                    double def);

/* The common head of a document: scope, scope_id, as_of, t. */
cJSON *mq_doc(const struct mq *m);

/* x rounded to 4 decimals, as a JSON number; JSON null when n == 0. */
cJSON *mq_ratio(double num, double den);
double mq_round4(double x);

/* What became of the customers that entered each stage in a window. */
struct fstate {
    uint32_t ent;   /* stages (rule order bits) entered in the window */
    uint32_t first; /* ... whose first move after entering was seen */
    uint32_t lostm; /* ... and was to a lost stage */
    uint32_t adv;   /* ... that reached a later, not lost stage by T */
};

/* One pass over the moves from lo up to T, entries in [lo, hi); per
 * customer in fs (zeroed by the caller, ncust long); reasons (may be
 * NULL) gets the reason of the first move after entering rule stage
 * `target` when it was a loss. */
void mq_funnel_pass(const struct mq *m, int64_t lo, int64_t hi,
                    struct fstate *fs, int target, uint8_t *reasons);

/* "rep" and "name" of user number u. */
void mq_add_user(cJSON *o, const struct facts *f, size_t u);

/* The stage's name in the caller's language. */
const char *mq_stage_name(const struct mq *m, int rule_index);

#endif
