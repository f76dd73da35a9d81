/* SPDX-License-Identifier: Apache-2.0
 *
 * core_int.h: helpers shared by files inside src/core only. Other modules include core.h.
 */
#ifndef TN_CORE_INT_H
#define TN_CORE_INT_H

#include "core/core.h"

/* strtod / strtof that always use the "C" locale's decimal point, whatever setlocale() the
 * program has called: tarn's text formats are locale-independent. */
double tn__strtod_c(const char *s, char **end);
float tn__strtof_c(const char *s, char **end);

#endif /* TN_CORE_INT_H */
