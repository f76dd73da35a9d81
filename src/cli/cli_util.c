/* SPDX-License-Identifier: Apache-2.0
 *
 * Argument parsing, help generated from the option tables, error reporting with tarn's exit
 * codes, input expansion (globs, folders) and terminal progress for the `tarn` commands.
 */
#include "cli/cli.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const tn_cli_option *find_long(const tn_cli_command *cmd, const char *name, size_t len)
{
    for (const tn_cli_option *o = cmd->options; o && o->long_name; o++)
        if (strlen(o->long_name) == len && memcmp(o->long_name, name, len) == 0) return o;
    return NULL;
}

static const tn_cli_option *find_short(const tn_cli_command *cmd, char c)
{
    for (const tn_cli_option *o = cmd->options; o && o->long_name; o++)
        if (o->short_name == c) return o;
    return NULL;
}

/* Prints the command's usage, details and option table. */
void tn_cli_print_help(const tn_cli_command *cmd, FILE *out)
{
    fprintf(out, "usage: tarn %s [OPTIONS] %s\n\n%s\n", cmd->name, cmd->usage, cmd->summary);
    if (cmd->details) fprintf(out, "\n%s\n", cmd->details);
    fprintf(out, "\noptions:\n");
    for (const tn_cli_option *o = cmd->options; o && o->long_name; o++) {
        char left[64];
        int n = 0;
        if (o->short_name)
            n = snprintf(left, sizeof left, "-%c, --%s", o->short_name, o->long_name);
        else
            n = snprintf(left, sizeof left, "    --%s", o->long_name);
        if (o->arg_name && n > 0 && (size_t)n < sizeof left)
            snprintf(left + n, sizeof left - (size_t)n, " %s", o->arg_name);
        fprintf(out, "  %-28s %s\n", left, o->help);
    }
    fprintf(out, "  %-28s %s\n", "-h, --help", "show this help");
}

static int add_value(tn_cli_args *args, const tn_cli_option *option, const char *value)
{
    tn_cli_value *grown = tn_realloc(args->values, sizeof *grown * (size_t)(args->value_count + 1));
    if (!grown) return TN_ENOMEM;
    args->values = grown;
    args->values[args->value_count].option = option;
    args->values[args->value_count].value = value;
    args->value_count++;
    return 0;
}

/* Parses options (--name VALUE, --name=VALUE, -x VALUE, flags, "--" ends options) and
 * positionals. Returns 0 to run; otherwise *exit_now is set and the exit code returned. */
int tn_cli_parse(const tn_cli_command *cmd, int argc, char **argv, tn_cli_args *args,
                 bool *exit_now)
{
    memset(args, 0, sizeof *args);
    *exit_now = false;
    args->positional = tn_calloc((size_t)argc + 1, sizeof(char *));
    if (!args->positional) {
        *exit_now = true;
        fprintf(stderr, "tarn: error: out of memory\n");
        return TN_EXIT_INTERNAL;
    }
    bool options_done = false;
    for (int i = 0; i < argc; i++) {
        char *arg = argv[i];
        if (options_done || arg[0] != '-' || arg[1] == '\0') {
            args->positional[args->positional_count++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            options_done = true;
            continue;
        }
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            tn_cli_print_help(cmd, stdout);
            *exit_now = true;
            return TN_EXIT_OK;
        }
        const tn_cli_option *option = NULL;
        const char *inline_value = NULL;
        if (arg[1] == '-') {
            const char *name = arg + 2;
            const char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            option = find_long(cmd, name, len);
            if (eq) inline_value = eq + 1;
            if (!option) {
                *exit_now = true;
                return tn_cli_usage_error(cmd, "unknown option '--%.*s'", (int)len, name);
            }
        } else {
            option = find_short(cmd, arg[1]);
            if (!option) {
                *exit_now = true;
                return tn_cli_usage_error(cmd, "unknown option '-%c'", arg[1]);
            }
            if (arg[2]) inline_value = arg + 2;
        }
        const char *value = NULL;
        if (option->arg_name) {
            if (inline_value) {
                value = inline_value;
            } else if (i + 1 < argc) {
                value = argv[++i];
            } else {
                *exit_now = true;
                return tn_cli_usage_error(cmd, "option '--%s' needs a value (%s)",
                                          option->long_name, option->arg_name);
            }
        } else if (inline_value) {
            *exit_now = true;
            return tn_cli_usage_error(cmd, "option '--%s' takes no value", option->long_name);
        }
        if (add_value(args, option, value) < 0) {
            *exit_now = true;
            fprintf(stderr, "tarn: error: out of memory\n");
            return TN_EXIT_INTERNAL;
        }
    }
    if (args->positional_count < cmd->min_positional) {
        *exit_now = true;
        return tn_cli_usage_error(cmd, "missing %s", cmd->usage);
    }
    return 0;
}

/* Frees what tn_cli_parse allocated. */
void tn_cli_args_free(tn_cli_args *args)
{
    tn_free(args->positional);
    tn_free(args->values);
    memset(args, 0, sizeof *args);
}

/* The last value given for --long_name, or NULL. */
const char *tn_cli_get(const tn_cli_args *args, const char *long_name)
{
    for (int i = args->value_count - 1; i >= 0; i--)
        if (strcmp(args->values[i].option->long_name, long_name) == 0)
            return args->values[i].value;
    return NULL;
}

/* Whether the flag --long_name was given. */
bool tn_cli_flag(const tn_cli_args *args, const char *long_name)
{
    for (int i = 0; i < args->value_count; i++)
        if (strcmp(args->values[i].option->long_name, long_name) == 0) return true;
    return false;
}

/* Prints the error with its location and returns the matching exit code. */
int tn_cli_fail(const tn_error *err)
{
    char text[2048];
    fprintf(stderr, "tarn: error: %s\n", tn_error_format(err, text, sizeof text));
    return (err->code == TN_EINTERNAL) ? TN_EXIT_INTERNAL : TN_EXIT_USER;
}

/* Prints "tarn: error: ..." plus a pointer to the command's help; returns TN_EXIT_USER. */
int tn_cli_usage_error(const tn_cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "tarn: error: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(see 'tarn %s --help')\n", cmd->name);
    va_end(ap);
    return TN_EXIT_USER;
}

static int parse_char_option(const tn_cli_command *cmd, const tn_cli_args *args,
                             const char *name, char *out)
{
    const char *value = tn_cli_get(args, name);
    if (!value) return 0;
    if (strcmp(value, "\\t") == 0 || strcasecmp(value, "tab") == 0) {
        *out = '\t';
        return 0;
    }
    if (strlen(value) != 1)
        return tn_cli_usage_error(cmd, "--%s takes one character, not '%s'", name, value);
    *out = value[0];
    return 0;
}

/* Fills the read options from the TN_CLI_READ_OPTIONS values. */
int tn_cli_read_setup_init(const tn_cli_command *cmd, const tn_cli_args *args,
                           tn_cli_read_setup *setup)
{
    memset(setup, 0, sizeof *setup);
    tn_read_options *o = &setup->options;
    o->format = tn_cli_get(args, "input-format");
    if (o->format && !tn_format_by_name(o->format))
        return tn_cli_usage_error(cmd, "unknown input format '%s' (use csv, json or parquet)",
                                  o->format);
    const char *sample = tn_cli_get(args, "sample");
    if (sample) {
        char *end = NULL;
        long long n = strtoll(sample, &end, 10);
        if (strcasecmp(sample, "all") == 0 || n == -1)
            o->sample_rows = TN_SAMPLE_ALL;
        else if (end && *end == '\0' && n > 0)
            o->sample_rows = n;
        else
            return tn_cli_usage_error(cmd, "--sample takes a positive number of rows or 'all', "
                                           "not '%s'", sample);
    }
    o->strict = tn_cli_flag(args, "strict");
    o->all_varchar = tn_cli_flag(args, "all-varchar");
    if (tn_cli_flag(args, "header") && tn_cli_flag(args, "no-header"))
        return tn_cli_usage_error(cmd, "--header and --no-header contradict each other");
    if (tn_cli_flag(args, "header")) o->header = TN_HEADER_YES;
    if (tn_cli_flag(args, "no-header")) o->header = TN_HEADER_NO;
    int rc = parse_char_option(cmd, args, "delimiter", &o->delimiter);
    if (rc == 0) rc = parse_char_option(cmd, args, "quote", &o->quote);
    if (rc == 0) rc = parse_char_option(cmd, args, "escape", &o->escape);
    if (rc == 0) rc = parse_char_option(cmd, args, "comment", &o->comment);
    if (rc) return rc;
    for (int i = 0; i < args->value_count; i++) {
        if (strcmp(args->values[i].option->long_name, "null") != 0) continue;
        if (o->null_string_count == TN_CLI_MAX_NULL_STRINGS)
            return tn_cli_usage_error(cmd, "at most %d --null strings", TN_CLI_MAX_NULL_STRINGS);
        setup->null_strings[o->null_string_count++] = args->values[i].value;
    }
    if (o->null_string_count) o->null_strings = setup->null_strings;
    const char *threads = tn_cli_get(args, "threads");
    if (threads) {
        char *end = NULL;
        long n = strtol(threads, &end, 10);
        if (!end || *end || n < 1 || n > 1024)
            return tn_cli_usage_error(cmd, "--threads takes a number from 1 to 1024, not '%s'",
                                      threads);
        o->threads = (int)n;
    }
    return 0;
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct path_list {
    char **items;
    int count;
    int cap;
} path_list;

static int push_path(path_list *list, const char *path)
{
    if (list->count == list->cap) {
        int cap = list->cap ? list->cap * 2 : 16;
        char **grown = tn_realloc(list->items, sizeof(char *) * (size_t)cap);
        if (!grown) return TN_ENOMEM;
        list->items = grown;
        list->cap = cap;
    }
    char *copy = tn_strdup(path);
    if (!copy) return TN_ENOMEM;
    list->items[list->count++] = copy;
    return 0;
}

/* Adds the regular, non-hidden files under dir (recursively), sorted. */
static int push_folder(path_list *list, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return TN_EIO;
    int first = list->count;
    /* "dumps/" and "dumps" give the same paths ("dumps/a.csv", not "dumps//a.csv"). */
    int dir_len = (int)strlen(dir);
    while (dir_len > 0 && dir[dir_len - 1] == '/') dir_len--;
    struct dirent *entry;
    int rc = 0;
    while (rc == 0 && (entry = readdir(d)) != NULL) {
        if (entry->d_name[0] == '.') continue;
        tn_buf path = TN_BUF_INIT;
        if (tn_buf_printf(&path, "%.*s/%s", dir_len, dir, entry->d_name) < 0) {
            rc = TN_ENOMEM;
            break;
        }
        struct stat st;
        if (stat(tn_buf_cstr(&path), &st) == 0) {
            if (S_ISDIR(st.st_mode))
                rc = push_folder(list, path.data);
            else if (S_ISREG(st.st_mode))
                rc = push_path(list, path.data);
        }
        tn_buf_free(&path);
    }
    closedir(d);
    if (rc == 0)
        qsort(list->items + first, (size_t)(list->count - first), sizeof(char *), compare_paths);
    return rc;
}

/* Expands globs and folders into files; a plain path is kept as given. */
int tn_cli_expand_inputs(char **patterns, int count, char ***paths, int *path_count)
{
    path_list list = {0};
    int rc = 0;
    for (int i = 0; i < count && rc == 0; i++) {
        const char *pattern = patterns[i];
        struct stat st;
        if (strcmp(pattern, "-") == 0) {
            rc = push_path(&list, pattern);
        } else if (stat(pattern, &st) == 0 && S_ISDIR(st.st_mode)) {
            int before = list.count;
            rc = push_folder(&list, pattern);
            if (rc == 0 && list.count == before) {
                fprintf(stderr, "tarn: error: folder '%s' holds no files\n", pattern);
                tn_cli_paths_free(list.items, list.count);
                return TN_EXIT_USER;
            }
        } else if (strpbrk(pattern, "*?[")) {
            glob_t g;
            int grc = glob(pattern, 0, NULL, &g);
            if (grc == GLOB_NOMATCH) {
                fprintf(stderr, "tarn: error: no file matches '%s'\n", pattern);
                tn_cli_paths_free(list.items, list.count);
                return TN_EXIT_USER;
            }
            for (size_t k = 0; grc == 0 && k < g.gl_pathc && rc == 0; k++)
                if (stat(g.gl_pathv[k], &st) == 0 && S_ISREG(st.st_mode))
                    rc = push_path(&list, g.gl_pathv[k]);
            globfree(&g);
        } else {
            rc = push_path(&list, pattern);
        }
    }
    if (rc < 0) {
        fprintf(stderr, "tarn: error: out of memory listing inputs\n");
        tn_cli_paths_free(list.items, list.count);
        return TN_EXIT_INTERNAL;
    }
    *paths = list.items;
    *path_count = list.count;
    return 0;
}

/* Frees a list from tn_cli_expand_inputs. */
void tn_cli_paths_free(char **paths, int count)
{
    for (int i = 0; i < count; i++) tn_free(paths[i]);
    tn_free(paths);
}

/* Progress is drawn only when stderr is a terminal, so pipes and logs stay clean
 * (TARN_NO_PROGRESS turns it off there too), and only for work that lasts: the first line
 * comes after half a second, or after TARN_PROGRESS_AFTER_MS milliseconds. */
void tn_cli_progress_start(tn_cli_progress *progress)
{
    memset(progress, 0, sizeof *progress);
    progress->enabled = isatty(STDERR_FILENO) && !getenv("TARN_NO_PROGRESS");
    progress->started_ns = tn_monotonic_ns();
    progress->delay_ns = 500000000LL;
    const char *after = getenv("TARN_PROGRESS_AFTER_MS");
    if (after && *after) {
        char *end = NULL;
        long long ms = strtoll(after, &end, 10);
        if (end && *end == '\0' && ms >= 0 && ms <= 3600000)
            progress->delay_ns = ms * 1000000LL;
    }
}

/* Redraws the progress line, at most ten times a second, after the start delay. */
void tn_cli_progress_update(tn_cli_progress *progress, const char *label, double fraction,
                            int64_t rows)
{
    if (!progress->enabled) return;
    int64_t now = tn_monotonic_ns();
    if (now - progress->started_ns < progress->delay_ns) return;
    if (progress->drawn && now - progress->last_draw_ns < 100000000LL) return;
    progress->last_draw_ns = now;
    progress->drawn = true;
    char count[32];
    double seconds = (double)(now - progress->started_ns) / 1e9;
    if (fraction >= 0 && fraction <= 1)
        fprintf(stderr, "\r\033[K%s  %3.0f%%  %s rows  %.1f s", label, fraction * 100,
                tn_cli_thousands(rows, count), seconds);
    else
        fprintf(stderr, "\r\033[K%s  %s rows  %.1f s", label, tn_cli_thousands(rows, count),
                seconds);
    fflush(stderr);
}

/* Clears the progress line. */
void tn_cli_progress_finish(tn_cli_progress *progress)
{
    if (progress->enabled && progress->drawn) {
        fprintf(stderr, "\r\033[K");
        fflush(stderr);
    }
    progress->drawn = false;
}

/* Formats value with thousands separators. */
const char *tn_cli_thousands(int64_t value, char *out)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%lld", (long long)(value < 0 ? -value : value));
    int o = 0;
    if (value < 0) out[o++] = '-';
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0) out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    return out;
}
