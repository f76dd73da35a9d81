/* SPDX-License-Identifier: Apache-2.0
 *
 * timed_run: runs one command and writes its wall time, peak memory and exit status to a file.
 *
 *     timed_run [--timeout SECONDS] [--runs N] -o RESULT_FILE -- COMMAND [ARG...]
 *
 * RESULT_FILE gets one line: "<seconds> <peak RSS KiB> <status>". The time runs from just
 * before the command is started to just after it has exited, so it is the command's whole
 * process (start, work, exit) and little else; the status is the command's exit code, 128+N
 * when signal N ended it, and 137 when --timeout killed it (the limit holds for each run).
 * With --runs N the command runs N times back to back and the best time is reported, with
 * the largest peak memory; the runs stop at the first that fails. The command inherits stdin
 * and stderr.
 *
 * Back to back, as DuckDB's hot time is taken (its statement repeated in one process): run
 * one at a time from node, a 2-3 ms command paid ~0.3 ms more for the caches node's own work
 * had taken in between (the second of two runs from one timed_run was that much faster).
 *
 * Why not /usr/bin/time under node's spawnSync: node spends ~5 ms starting any child, and
 * /usr/bin/time (dynamically linked, started by node, then starting the command) adds ~3 ms
 * more, all of it counted as the command's time; this program starts the command with
 * posix_spawn and times only that. libc only, like the generators: it must not depend on the
 * code it is used to judge.
 *
 * The command's standard output goes to a temporary file while it runs, and is copied to this
 * program's standard output once it has exited. Written straight into node's pipe, each write
 * wakes node's reader on the other core while the command is still running; on a 2-core
 * virtual machine that cost a 3 ms command 0.4 ms that were the reader's, not the command's
 * (the same command writing to a file or /dev/null did not pay it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static volatile sig_atomic_t timed_out;
static pid_t child;

static void on_alarm(int sig)
{
    (void)sig;
    timed_out = 1;
    kill(child, SIGKILL);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Copies the file behind fd, from its start, to standard output. */
static int copy_output(int fd)
{
    char buf[1 << 16];
    if (lseek(fd, 0, SEEK_SET) < 0)
        return -1;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return (int)n;
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(STDOUT_FILENO, buf + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                return -1;
            done += w;
        }
    }
}

/* Runs the command once with its standard output on the file `output`. Returns its status
 * (see the top of the file), or minus this program's exit code when it could not run it. */
static int run_once(char **command, int output, unsigned timeout_seconds, double *seconds,
                    long *peak_kib)
{
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, output, STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, output);
    timed_out = 0;
    double start = now_seconds();
    int rc = posix_spawnp(&child, command[0], &actions, NULL, command, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        fprintf(stderr, "timed_run: cannot start %s: %s\n", command[0], strerror(rc));
        return -127;
    }
    if (timeout_seconds)
        alarm(timeout_seconds);
    int wstatus = 0;
    struct rusage usage_of_child;
    pid_t got;
    do {
        got = wait4(child, &wstatus, 0, &usage_of_child);
    } while (got < 0 && errno == EINTR);
    *seconds = now_seconds() - start;
    alarm(0);
    if (got < 0) {
        fprintf(stderr, "timed_run: wait failed: %s\n", strerror(errno));
        return -2;
    }
    *peak_kib = usage_of_child.ru_maxrss; /* KiB on Linux */
    if (timed_out)
        return 137;
    return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

/* Parses a whole number in 1..max into *out; false when text is not one. */
static int parse_count(const char *text, unsigned long max, unsigned *out)
{
    char *end = NULL;
    unsigned long v = strtoul(text, &end, 10);
    if (!end || end == text || *end || v == 0 || v > max)
        return 0;
    *out = (unsigned)v;
    return 1;
}

static int usage(void)
{
    fprintf(stderr, "usage: timed_run [--timeout SECONDS] [--runs N] -o RESULT_FILE -- COMMAND [ARG...]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *result_path = NULL;
    unsigned timeout_seconds = 0;
    unsigned runs = 1;
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            result_path = argv[++i];
        } else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            if (!parse_count(argv[++i], 1000, &runs)) {
                fprintf(stderr, "timed_run: --runs wants a count (1..1000)\n");
                return 2;
            }
        } else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
            if (!parse_count(argv[++i], 86400, &timeout_seconds)) {
                fprintf(stderr, "timed_run: --timeout wants whole seconds (1..86400)\n");
                return 2;
            }
        } else {
            return usage();
        }
    }
    if (!result_path || i >= argc)
        return usage();

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);

    const char *tmpdir = getenv("TMPDIR");
    char output_path[4096];
    snprintf(output_path, sizeof output_path, "%s/timed_run-XXXXXX",
             tmpdir && *tmpdir ? tmpdir : "/tmp");
    int output = mkstemp(output_path);
    if (output < 0) {
        fprintf(stderr, "timed_run: cannot create %s: %s\n", output_path, strerror(errno));
        return 2;
    }
    unlink(output_path);

    double best = 0;
    long peak_kib = 0;
    int status = 0;
    for (unsigned run = 0; run < runs && status == 0; run++) {
        double seconds;
        long kib;
        if (ftruncate(output, 0) != 0 || lseek(output, 0, SEEK_SET) != 0) {
            fprintf(stderr, "timed_run: cannot reuse %s: %s\n", output_path, strerror(errno));
            return 2;
        }
        status = run_once(argv + i, output, timeout_seconds, &seconds, &kib);
        if (status < 0)
            return -status;
        if (run == 0 || seconds < best)
            best = seconds;
        if (kib > peak_kib)
            peak_kib = kib;
    }
    if (copy_output(output) != 0) {
        fprintf(stderr, "timed_run: cannot copy the command's output: %s\n", strerror(errno));
        return 2;
    }
    close(output);

    FILE *out = fopen(result_path, "w");
    if (!out) {
        fprintf(stderr, "timed_run: cannot write %s: %s\n", result_path, strerror(errno));
        return 2;
    }
    fprintf(out, "%.6f %ld %d\n", best, peak_kib, status);
    if (fclose(out) != 0)
        return 2;
    return status;
}
