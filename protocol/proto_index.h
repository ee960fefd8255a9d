/*  proto_index.h — the service vitality index (政务服务效能指数): seven indices that score a
    hall from 0 to 100 — 规范 standard, 效率 efficiency, 便利 convenience, 服务 service, 体验
    experience, 评价 evaluation, 创新 innovation (DOMAIN.md, the Baiyun 2024 report) — their
    weighted total, a grade, and the ranking of many halls. The same code serves `onewindow
    report` (one hall) and the district (every hall, every day). docs/INDEX.md defines every
    indicator: its formula, input, weight and default.

    **Inputs.** A hall report (proto_report.h): what the system measures. The hall's
    hall.info: how its counters are set up, whether its slips link to a status page. An
    index config: the weights, the targets, the grade bands, and what the system cannot
    observe (the hall's facilities, staff management, 跨域通办, ...), which comes only from
    there, as a manual score per hall, and is never guessed.

    **The config** is a JSON object; the defaults are compiled in
    (proto_index_config_default) and the hall config's `index` object, a file or the
    district's config merges over them (proto_index_config_merge: objects merge member by
    member, an array of objects that have an `id` merges element by element by `id`,
    appending new ones, and any other value replaces the default):

        {"indices": {"standard": {"weight", "zh", "en",
                                  "indicators": [{"id", "zh", "en", "weight",
                                                  "input", "full", "zero", "capability"}]},
                     "efficiency": {...}, ... the seven},
         "grades": [{"grade": "A+", "min": 95, "zh", "en"}, ..., {"grade", "min": 0, ...}],
         "manual": {"standard": {"facilities": 92, ...}, ...},
         "capabilities": ["self_service", ...],
         "halls": {"HALL_ID": {"manual": {...}, "capabilities": [...]}}}

    `manual` and `capabilities` are the scored hall's (a hall's own config); a hall listed
    in `halls` (a district's config of many) takes its entry there instead, whole.

    An indicator is one of three kinds:
    - measured: `input` names a figure of the report's `kpis` ("tickets.avg_wait_ms",
      "cases.on_time_rate") or of the hall ("hall.counter_breadth", "hall.status_page");
      it scores 100 × (value − zero) ÷ (full − zero), clamped to 0..100, so full above zero
      means higher is better, below it lower is better;
    - manual: `input` "manual"; it scores what the hall's `manual.INDEX.ID` says (0-100);
    - capability: `capability` true; it scores 100 when the hall declares it (its
      `capabilities`) or its `input` (optional: evidence) is above 0, else 0.

    **Scores.** An indicator whose figure is null (nothing counted) or a manual one with no
    score for the hall is not measured: it is left out and the others' weights carry its
    index. An index is the weighted mean of its measured indicators, null when none is;
    the total is the weighted mean of the indices that are not null, null when none is.
    `coverage` is the share of the weight that was measured. Means are taken of unrounded
    scores; every score is given rounded to 0.1, and its grade is that of the rounded
    score (the first band whose `min` it reaches).

    **The result** of proto_index_compute, which a report takes as two more members
    (json_object_update):

        {"index": {"standard", "efficiency", "convenience", "service", "experience",
                   "evaluation", "innovation", "total",           each 0-100 or null
                   "grades": {the same eight keys: "A", ... or null}},
         "index_detail": {"hall", "grade", "grade_zh", "coverage",
                          "standard": {"zh", "en", "weight", "score", "grade", "coverage",
                                       "why" (when null),
                                       "indicators": [{"id", "zh", "en", "kind", "input",
                                                       "weight", "value", "full", "zero",
                                                       "declared", "score", "why"}]},
                          ... the other six}}

    `kind` is "measured", "manual" or "capability"; `full` and `zero` come with a measured
    one, `declared` with a capability; `value` is the figure (the manual score, 1 or 0 for
    a capability), null when not measured, and then `why` says why. */
#ifndef PROTO_INDEX_H
#define PROTO_INDEX_H

#include <jansson.h>
#include <stddef.h>

//  The number of indices (the total is not one of them).
#define PROTO_INDEX_COUNT 7

//  The default score of an index none of whose indicators was measured in the period (the
//  config's "unobserved": 60, the pass line of the grade bands, neither reward nor penalty;
//  null in a config keeps such an index null). docs/INDEX.md.
#define PROTO_INDEX_UNOBSERVED 60.0

//  The seven indices' keys in the order views show them: "standard", "efficiency",
//  "convenience", "service", "experience", "evaluation", "innovation". Static.
const char *const *proto_index_names (void);

//  The compiled-in config (docs/INDEX.md). Caller owns it.
json_t *proto_index_config_default (void);
//  `base` (a whole config) with `override` merged over it (above), checked. NULL with the
//  reason in `why` when the result is not a valid config. Caller owns the result.
json_t *proto_index_config_merge (const json_t *base, const json_t *override, char *why,
                                  size_t size);
//  The defaults with the JSON file `path` merged over them, checked: a hall config (one
//  with a "hall" object: etc/hall.example.json) by its `index` object (none: the
//  defaults), any other file whole. NULL with the reason (the file, the line, the member)
//  in `why`. Caller owns the result.
json_t *proto_index_config_load (const char *path, char *why, size_t size);
//  Checks a whole config: the seven indices, each indicator's kind and numbers (a measured
//  input must be a figure of the report catalogue, proto_figures.h, or of the hall), grade
//  bands from high to low ending at 0, manual scores 0-100 of manual indicators, declared
//  capabilities that exist. 0, or -1 with the reason in `why`.
int proto_index_config_check (const json_t *config, char *why, size_t size);

//  The indices of the hall of `report` (proto_report_json's object, or its `kpis` alone)
//  whose hall.info is `info` (NULL: the hall's figures are not measured), by `config` (a
//  checked config; NULL: the defaults). The hall's id, for its manual scores, is the
//  report's `hall.id`, else info's. Returns the result above (caller owns), or NULL with
//  the reason in `why` when `config` is not valid.
json_t *proto_index_compute (const json_t *report, const json_t *info, const json_t *config,
                             char *why, size_t size);

//  An indicator's score (0-100, unrounded) for `value`, scoring 100 at `full` and 0 at
//  `zero`, linear between, clamped; full == zero scores 100 at or past it, 0 short of it.
double proto_index_score (double value, double full, double zero);
//  A score rounded to 0.1, as results give it.
double proto_index_round (double score);
//  The grade band of `score` (rounded first) in `config` (NULL: the defaults): the first
//  band whose `min` it reaches. Its `grade` ("A") and `zh` ("优秀") into the buffers.
void proto_index_grade (const json_t *config, double score, char *grade, size_t gsize, char *zh,
                        size_t zsize);

//  The ranking of `halls`: an array of objects, each with an `id` (a string) and an
//  `index` (as proto_index_compute gives it), by their `key` ("total" when NULL, or one of
//  the seven). Returns a new array (caller owns) of shallow copies of those objects, each
//  with `score` (the key's value) and `rank` added: highest first; halls whose rounded
//  scores are equal share a rank and the next rank skips (1, 2, 2, 4), listed by id;
//  halls without a score come last, `rank` null. NULL on out-of-memory.
json_t *proto_index_rank (const json_t *halls, const char *key);

#endif
