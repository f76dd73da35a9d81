/* SPDX-License-Identifier: Apache-2.0
 *
 * Clocks: the wall clock for timestamps that are stored or shown, and the monotonic clock for
 * durations (which must not jump when the system time is changed).
 */
#include "core/core.h"

#include <time.h>

/* Wall clock: microseconds since the Unix epoch, UTC. */
int64_t tn_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Monotonic nanoseconds from an arbitrary origin; only differences are meaningful. */
int64_t tn_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
