/* SPDX-License-Identifier: Apache-2.0
 *
 * `tarn init [DIR]`: creates a project (tarn.yaml with every setting documented, the catalog,
 * the lake folder and the folders for sources, models, checks and pipelines).
 */
#include "cli/cli.h"
#include "pipeline/project.h"

static const tn_cli_option init_options[] = {
    {"name", 0, "NAME", "project name (default: the folder's name)"},
    {NULL, 0, NULL, NULL},
};

static int run_init(const tn_cli_command *cmd, tn_cli_args *args)
{
    if (args->positional_count > 1)
        return tn_cli_usage_error(cmd, "init takes at most one folder");
    const char *dir = args->positional_count ? args->positional[0]
                                             : (tn_cli_project_dir ? tn_cli_project_dir : ".");
    tn_error err = {0};
    tn_project *project = NULL;
    int rc = tn_project_init(dir, tn_cli_get(args, "name"), &project, &err);
    if (rc < 0) return tn_cli_fail(&err);
    printf("Created project '%s' in %s\n", project->name, project->root);
    printf("  settings  %s\n", project->config_path);
    printf("  catalog   %s\n", project->catalog_location);
    printf("  lake      %s\n", project->lake_location);
    tn_project_free(project);
    return TN_EXIT_OK;
}

const tn_cli_command tn_cmd_init = {
    .name = "init",
    .usage = "[DIR]",
    .summary = "create a project (settings, catalog, lake) in DIR or the current folder",
    .details = "Writes tarn.yaml (every setting with its documentation and default), creates the\n"
               "catalog (.tarn/catalog.db), the lake folder and the folders sources/, models/,\n"
               "checks/ and pipelines/. Other commands find the project by walking up from the\n"
               "current folder, or take -C DIR.",
    .options = init_options,
    .min_positional = 0,
    .run = run_init,
};
