/* SPDX-License-Identifier: Apache-2.0
 *
 * TODO: being written
 */
