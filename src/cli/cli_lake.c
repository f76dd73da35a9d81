/* SPDX-License-Identifier: Apache-2.0
 *
 * What the lake commands share: opening the project with its store, catalog and lake in one
 * call, splitting "[NS.]TABLE" names, and printing sizes.
 */
#include "catalog/catalog.h"
#include "cli/cli.h"
#include "lake/lake.h"
#include "pipeline/project.h"
#include "storage/storage.h"

#include <stdio.h>

/* Opens project, store, catalog and lake. */
int tn_cli_lake_open(tn_cli_lake *lake, tn_error *err)
{
    memset(lake, 0, sizeof *lake);
    int rc = tn_project_open(tn_cli_project_dir, &lake->project, err);
    if (rc == 0) rc = tn_store_open(lake->project->lake_location, &lake->store, err);
    if (rc == 0) rc = tn_catalog_open(lake->project->catalog_location, &lake->catalog, err);
    if (rc == 0) rc = tn_lake_open(lake->store, lake->catalog, &lake->lake, err);
    if (rc < 0) tn_cli_lake_close(lake);
    return rc;
}

/* Closes what tn_cli_lake_open opened, in reverse order. */
void tn_cli_lake_close(tn_cli_lake *lake)
{
    tn_lake_close(lake->lake);
    tn_catalog_close(lake->catalog);
    tn_store_close(lake->store);
    tn_project_free(lake->project);
    memset(lake, 0, sizeof *lake);
}

/* Splits "[NS.]TABLE". */
int tn_cli_table_name(const tn_cli_lake *lake, const char *text, char **ns, char **name,
                      tn_error *err)
{
    *ns = *name = NULL;
    const char *dot = strchr(text, '.');
    if (dot) {
        *ns = tn_strndup(text, (size_t)(dot - text));
        *name = tn_strdup(dot + 1);
    } else {
        *ns = tn_strdup(lake->project->default_namespace ? lake->project->default_namespace
                                                         : "main");
        *name = tn_strdup(text);
    }
    if (!*ns || !*name) {
        tn_free(*ns);
        tn_free(*name);
        *ns = *name = NULL;
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    if (!**ns || !**name || strchr(*name, '.') || strchr(*name, '/') || strchr(*ns, '/')) {
        tn_error_set(err, TN_EUSAGE,
                     "'%s' is not a table name: use TABLE or NAMESPACE.TABLE (letters, digits, "
                     "'_'; no '/', at most one '.')",
                     text);
        tn_free(*ns);
        tn_free(*name);
        *ns = *name = NULL;
        return TN_EUSAGE;
    }
    return 0;
}

/* Human size with binary units. */
const char *tn_cli_bytes(int64_t bytes, char *out)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = (double)bytes;
    size_t u = 0;
    while (v >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1024;
        u++;
    }
    if (u == 0) snprintf(out, 32, "%lld B", (long long)bytes);
    else snprintf(out, 32, "%.1f %s", v, units[u]);
    return out;
}

/* ISO 8601 UTC time with milliseconds. */
const char *tn_cli_iso_time(int64_t ms, char *out)
{
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rest = ms - days * 86400000;
    int64_t year;
    unsigned month, day;
    tn_civil_from_days((int32_t)days, &year, &month, &day);
    snprintf(out, 32, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", (long long)year, month, day,
             (int)(rest / 3600000), (int)(rest / 60000 % 60), (int)(rest / 1000 % 60),
             (int)(rest % 1000));
    return out;
}

/* Starts a grid with its header row. */
int tn_cli_grid_init(tn_cli_grid *grid, size_t columns, const char *const *header)
{
    memset(grid, 0, sizeof *grid);
    grid->columns = columns;
    return tn_cli_grid_add(grid, header);
}

/* Adds a row (cells copied). */
int tn_cli_grid_add(tn_cli_grid *grid, const char *const *cells)
{
    if (grid->rows == grid->cap) {
        size_t cap = grid->cap ? grid->cap * 2 : 16;
        char **grown = tn_realloc(grid->cells, cap * grid->columns * sizeof *grown);
        if (!grown) return TN_ENOMEM;
        grid->cells = grown;
        grid->cap = cap;
    }
    char **row = grid->cells + grid->rows * grid->columns;
    for (size_t c = 0; c < grid->columns; c++) {
        row[c] = tn_strdup(cells[c] ? cells[c] : "");
        if (!row[c]) {
            for (size_t k = 0; k < c; k++) tn_free(row[k]);
            return TN_ENOMEM;
        }
    }
    grid->rows++;
    return 0;
}

/* Display width of UTF-8 text: one column per code point (good enough for names). */
static size_t text_width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

/* Prints the grid with fitted columns, two spaces apart. */
void tn_cli_grid_print(const tn_cli_grid *grid, FILE *out, const bool *right_align)
{
    size_t widths[32] = {0};
    size_t ncol = grid->columns < 32 ? grid->columns : 32;
    for (size_t r = 0; r < grid->rows; r++)
        for (size_t c = 0; c < ncol; c++) {
            size_t w = text_width(grid->cells[r * grid->columns + c]);
            if (w > widths[c]) widths[c] = w;
        }
    for (size_t r = 0; r < grid->rows; r++) {
        for (size_t c = 0; c < ncol; c++) {
            const char *cell = grid->cells[r * grid->columns + c];
            size_t pad = widths[c] - text_width(cell);
            bool right = right_align && right_align[c] && r > 0;
            if (c) fputs("  ", out);
            if (right) fprintf(out, "%*s", (int)pad, "");
            fputs(cell, out);
            if (!right && c + 1 < ncol) fprintf(out, "%*s", (int)pad, "");
        }
        fputc('\n', out);
    }
}

/* Frees the cells. */
void tn_cli_grid_free(tn_cli_grid *grid)
{
    for (size_t i = 0; i < grid->rows * grid->columns; i++) tn_free(grid->cells[i]);
    tn_free(grid->cells);
    memset(grid, 0, sizeof *grid);
}
