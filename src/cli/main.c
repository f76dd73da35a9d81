/* SPDX-License-Identifier: Apache-2.0
 *
 * The `tarn` command: global options, then dispatch to one subcommand. Each subcommand lives
 * in its own cmd_<name>.c and is a thin layer over the library.
 */
#include "cli/cli.h"

#include <stdlib.h>

const char *tn_cli_project_dir;

static const tn_cli_command *const commands[] = {
    &tn_cmd_init,
    &tn_cmd_inspect,
    &tn_cmd_convert,
    &tn_cmd_ingest,
    &tn_cmd_crawl,
    &tn_cmd_tables,
    &tn_cmd_describe,
    &tn_cmd_history,
    &tn_cmd_quarantine,
    &tn_cmd_vacuum,
    &tn_cmd_sql,
    NULL,
};

static void print_main_help(FILE *out)
{
    fprintf(out, "tarn %s: a data platform in one program\n\n"
                 "usage: tarn [--version] [--help] [-C DIR] COMMAND [OPTIONS] [ARGS]\n\n"
                 "  -C DIR       use the project in DIR instead of finding it from the current "
                 "folder\n\ncommands:\n",
            TARN_VERSION);
    for (size_t i = 0; commands[i]; i++)
        fprintf(out, "  %-12s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(out, "\nRun 'tarn COMMAND --help' for the options of one command.\n"
                 "Exit codes: 0 success, 1 a problem with the input or the invocation "
                 "(one message on stderr), 2 an internal error.\n");
}

int main(int argc, char **argv)
{
    tn_alloc_configure_program();
    /* Global options come before the command, as with git. */
    while (argc >= 2 && strncmp(argv[1], "-C", 2) == 0) {
        if (argv[1][2]) {
            tn_cli_project_dir = argv[1] + 2;
            argv++;
            argc--;
        } else if (argc >= 3) {
            tn_cli_project_dir = argv[2];
            argv += 2;
            argc -= 2;
        } else {
            fprintf(stderr, "tarn: error: -C needs a folder\n");
            return TN_EXIT_USER;
        }
    }
    if (argc < 2) {
        print_main_help(stderr);
        return TN_EXIT_USER;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        if (argc > 2 && strcmp(name, "help") == 0) {
            for (size_t i = 0; commands[i]; i++)
                if (strcmp(commands[i]->name, argv[2]) == 0) {
                    tn_cli_print_help(commands[i], stdout);
                    return TN_EXIT_OK;
                }
        }
        print_main_help(stdout);
        return TN_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0 ||
        strcmp(name, "version") == 0) {
        printf("tarn %s\n", TARN_VERSION);
        return TN_EXIT_OK;
    }
    for (size_t i = 0; commands[i]; i++) {
        if (strcmp(commands[i]->name, name) != 0) continue;
        tn_cli_args args;
        bool exit_now = false;
        int rc = tn_cli_parse(commands[i], argc - 2, argv + 2, &args, &exit_now);
        if (!exit_now) rc = commands[i]->run(commands[i], &args);
        tn_cli_args_free(&args);
        return rc;
    }
    fprintf(stderr, "tarn: error: unknown command '%s' (run 'tarn --help' for the list)\n", name);
    return TN_EXIT_USER;
}
