/* SPDX-License-Identifier: Apache-2.0
 *
 * Projects: init writes every setting with its default, open finds the project from a sub
 * folder, and tarn.yaml mistakes are reported with their line, column and a suggestion.
 */
#include "pipeline/project.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];
static char start[4096];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/tarn-project-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    cr_assert_not_null(getcwd(start, sizeof start));
}

static void teardown(void)
{
    cr_assert_eq(chdir(start), 0);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(project, .init = setup, .fini = teardown);

static void write_settings(const char *text)
{
    char path[300];
    snprintf(path, sizeof path, "%s/tarn.yaml", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

Test(project, init_then_open_from_a_sub_folder)
{
    tn_error err = {0};
    tn_project *p = NULL;
    cr_assert_eq(tn_project_init(dir, "shop", &p, &err), 0, "%s", err.message);
    cr_assert_str_eq(p->name, "shop");
    tn_project_free(p);
    cr_assert_eq(tn_project_init(dir, NULL, &p, &err), TN_EEXIST, "init twice must refuse");
    char sub[300];
    snprintf(sub, sizeof sub, "%s/models", dir);
    cr_assert_eq(chdir(sub), 0);
    cr_assert_eq(tn_project_open(NULL, &p, &err), 0, "%s", err.message);
    char expected[300];
    cr_assert_not_null(realpath(dir, expected));
    cr_assert_str_eq(p->root, expected);
    cr_assert_str_eq(p->name, "shop", "the name written by init is read back");
    cr_assert_str_eq(p->default_namespace, "main");
    cr_assert_eq(p->snapshot_retention_seconds, 7 * 86400);
    char catalog[400];
    snprintf(catalog, sizeof catalog, "%s/.tarn/catalog.db", expected);
    cr_assert_str_eq(p->catalog_location, catalog);
    cr_assert_eq(access(catalog, R_OK), 0, "init creates the catalog");
    tn_project_free(p);
}

Test(project, no_project_anywhere_says_what_to_do)
{
    cr_assert_eq(chdir(dir), 0);
    tn_error err = {0};
    tn_project *p = NULL;
    cr_assert_eq(tn_project_open(NULL, &p, &err), TN_ENOENT);
    cr_assert(strstr(err.message, "tarn init"), "%s", err.message);
    cr_assert_eq(tn_project_open(dir, &p, &err), TN_ENOENT);
    cr_assert(strstr(err.message, "tarn init"), "%s", err.message);
}

Test(project, settings_override_defaults_and_resolve_paths)
{
    write_settings("name: x\nlake:\n  location: /data/lake\ncatalog:\n  location: meta/c.db\n"
                   "vacuum:\n  snapshot_retention: 36h\ningest:\n  sample_rows: -1\n");
    tn_error err = {0};
    tn_project *p = NULL;
    cr_assert_eq(tn_project_open(dir, &p, &err), 0, "%s", err.message);
    cr_assert_str_eq(p->lake_location, "/data/lake", "absolute paths stay as they are");
    cr_assert(strstr(p->catalog_location, "/meta/c.db") && p->catalog_location[0] == '/');
    cr_assert_eq(p->snapshot_retention_seconds, 36 * 3600);
    cr_assert_eq(p->sample_rows, -1);
    tn_project_free(p);
}

Test(project, a_misspelt_key_is_named_with_its_position_and_a_suggestion)
{
    write_settings("name: x\nlake:\n  locaton: elsewhere\n");
    tn_error err = {0};
    tn_project *p = NULL;
    cr_assert_eq(tn_project_open(dir, &p, &err), TN_EINVAL);
    cr_assert_eq(err.line, 3);
    cr_assert_eq(err.column, 3);
    cr_assert(strstr(err.message, "'lake.locaton'") && strstr(err.message, "'lake.location'"),
              "%s", err.message);
}

Test(project, bad_values_and_bad_yaml)
{
    tn_error err = {0};
    tn_project *p = NULL;
    write_settings("vacuum:\n  orphan_grace: soon\n");
    cr_assert_eq(tn_project_open(dir, &p, &err), TN_EINVAL);
    cr_assert_eq(err.line, 2);
    cr_assert(strstr(err.message, "duration"), "%s", err.message);
    write_settings("lake: [unclosed\n");
    cr_assert_eq(tn_project_open(dir, &p, &err), TN_EPARSE);
    cr_assert_gt(err.line, 0, "the YAML error has a line");
    write_settings("lake: somewhere\n");
    cr_assert_eq(tn_project_open(dir, &p, &err), TN_EINVAL);
    cr_assert(strstr(err.message, "section"), "%s", err.message);
}

Test(project, durations)
{
    int64_t s = 0;
    cr_assert(tn_parse_duration("90s", &s) && s == 90);
    cr_assert(tn_parse_duration("15m", &s) && s == 900);
    cr_assert(tn_parse_duration("2w", &s) && s == 14 * 86400);
    cr_assert(tn_parse_duration("42", &s) && s == 42);
    cr_assert_not(tn_parse_duration("7 days", &s));
    cr_assert_not(tn_parse_duration("-1d", &s));
    cr_assert_not(tn_parse_duration("", &s));
    cr_assert_not(tn_parse_duration("99999999999999999999d", &s));
}
