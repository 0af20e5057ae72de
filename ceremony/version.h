/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CE_CEREMONY_VERSION_H
#define CE_CEREMONY_VERSION_H
#define CEREMONY_VERSION "0.1.0"
#endif
